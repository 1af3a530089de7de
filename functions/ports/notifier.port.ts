/** Client SMS (SNS in AWS, console and outbox locally). */
export interface SmsSender {
  /** Publishes one SMS; returns the provider's message id. */
  send(message: { to: string; body: string }): Promise<{ messageId: string }>;
  /** Whether the carrier-level opt-out list has this number (SNS CheckIfPhoneNumberIsOptedOut). */
  isOptedOut(phone: string): Promise<boolean>;
}

export type CareTeamReason =
  | 'missed-session'
  | 'disengagement'
  | 'screen-missed'
  | 'screen-positive'
  | 'escalation'
  | 'all-clear';

/** A care-team alert: client id, reason, a link. Never a name, phone number or result in the subject. */
export interface CareTeamAlert {
  programId: string;
  clientId: string;
  reason: CareTeamReason;
  severity: 'info' | 'warning' | 'critical';
  subject: string;
  body: string;
  flagId?: string;
}

export interface CareTeamNotifier {
  alert(alert: CareTeamAlert): Promise<{ messageId: string }>;
}
