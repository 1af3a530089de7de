/** Client SMS (SNS in AWS, console and outbox locally). */
export interface SmsSender {
  /**
   * Publishes one SMS, from the origination identity `from` when given (else the configured
   * default); returns the provider's message id.
   */
  send(message: { to: string; body: string; from?: string }): Promise<{ messageId: string }>;
  /** Whether the carrier-level opt-out list has this number (SNS CheckIfPhoneNumberIsOptedOut). */
  isOptedOut(phone: string): Promise<boolean>;
  /**
   * Takes the number off the carrier-level opt-out list (SNS OptInPhoneNumber), after the client
   * asked to receive messages again. SNS allows it once per 30 days per number: a refusal throws
   * OptInRefusedError.
   */
  optIn(phone: string): Promise<void>;
}

/** The carrier would not take the number off its opt-out list (SNS: once per 30 days per number). */
export class OptInRefusedError extends Error {
  override readonly name = 'OptInRefusedError';
}

export type CareTeamReason =
  | 'missed-session'
  | 'disengagement'
  | 'screen-missed'
  | 'screen-positive'
  | 'escalation'
  | 'all-clear'
  | 'client-reply';

/**
 * What an alert is about, as far as anyone who sees only the subject or the message attributes
 * may know: a screen's outcome is never named there, only `clinical-review` (invariant 8).
 */
export type AlertCategory =
  | 'attendance'
  | 'engagement'
  | 'clinical-review'
  | 'escalation'
  | 'all-clear'
  | 'client-reply';

/** A care-team alert: client id, reason, a link. Never a name, phone number or result in the subject. */
export interface CareTeamAlert {
  programId: string;
  clientId: string;
  /** For the event record in-process; never published (the category is). */
  reason: CareTeamReason;
  category: AlertCategory;
  severity: 'info' | 'warning' | 'critical';
  subject: string;
  body: string;
  flagId?: string;
}

export interface CareTeamNotifier {
  alert(alert: CareTeamAlert): Promise<{ messageId: string }>;
}
