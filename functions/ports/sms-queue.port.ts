import type { MessageKey } from '../domain/reminders.ts';
import type { SmsPurpose } from '../domain/sms-templates.ts';

/**
 * Paced sending (issue 16): every client SMS waits in a queue per origination identity and goes
 * out when the identity's drainer gives it a slot, earliest deadline first, at most `perSecond`
 * a second. The queue is a DynamoDB partition per identity sorted by deadline; a drainer is woken
 * through SQS (FIFO, one message group per identity) in AWS and through the in-process scheduler
 * locally.
 */
export interface QueuedSms {
  /** The identity's queue key (functions/domain/pacing.ts identityKey). */
  identity: string;
  /** The origination identity to send from (absent: the account's default). */
  from?: string;
  programId: string;
  clientId: string;
  purpose: SmsPurpose;
  key: MessageKey;
  body: string;
  context: { sessionId?: string; offsetMinutes?: number };
  /** An answer to the client's own text (HELP): only an opt-out stops it, quiet hours do not. */
  answer?: boolean;
  /** When it was due (the job's time): lateness is measured from here. */
  dueAt: string;
  /** What it is ordered by: earliest first. */
  deadline: string;
  /** Not to be taken before this (a retry's backoff, a drainer's lease). */
  notBefore: string;
  /** Times a drainer took it. */
  attempts: number;
  /** `sending`: a drainer took it (its lease runs to `notBefore`). */
  status: 'queued' | 'sending';
}

export interface SmsQueue {
  /** Adds a message; a message already waiting (same key and deadline) is not added twice. */
  enqueue(message: QueuedSms): Promise<void>;
  /** Up to `limit` messages of the identity that may be taken at `now`, earliest deadline first. */
  ready(identity: string, now: string, limit: number): Promise<QueuedSms[]>;
  /** The earliest `notBefore` of the identity's messages not ready at `now`, if any wait. */
  nextReadyAt(identity: string, now: string): Promise<string | undefined>;
  /**
   * Takes a message for sending (conditional: a queued one, or one whose drainer's lease ran out):
   * its attempts go up by one and it is leased until `leaseUntil`. False when another drainer has it.
   */
  take(message: QueuedSms, now: string, leaseUntil: string): Promise<boolean>;
  /** Puts a taken message back to wait until `notBefore` (a refusal's backoff). */
  putBack(message: QueuedSms, notBefore: string): Promise<void>;
  /** Removes a message that was sent, suppressed or given up. */
  remove(message: QueuedSms): Promise<void>;
  /**
   * Reserves up to `wanted` sending slots in the identity's current one-second window, of
   * `perSecond` in all (a conditional counter, so two drainers together never exceed the rate).
   * Returns how many it got.
   */
  reserveSlots(identity: string, now: string, wanted: number, perSecond: number): Promise<number>;
}

/** How a drainer is woken: now (messages were queued) or at an instant (a retry's backoff). */
export interface DrainTrigger {
  wake(identity: string, at?: string): Promise<void>;
  /**
   * A message given up after its last attempt: handed to the dead-letter queue (ids only, never
   * the phone number or the text) for a person to look at.
   */
  deadLetter(message: Pick<QueuedSms, 'identity' | 'key' | 'attempts'>, reason: string): Promise<void>;
}

/** Paced sending's ports and settings, in Deps. */
export interface SmsPacing {
  queue: SmsQueue;
  trigger: DrainTrigger;
  /** Messages per second per origination identity. */
  perSecond: number;
  /**
   * Messages of a window sent at once (default: the whole window). The local runtime and the
   * simulator send one after another, so a run's events come in the same order every time.
   */
  concurrency?: number;
  /** The pool of origination numbers (E.164); empty: the account's default identity. */
  identities: readonly string[];
}
