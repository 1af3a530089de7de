import type { MessageKey } from '../domain/reminders.ts';

/**
 * The exactly-once ledger: one item per message identity (what it is about, purpose, offset). A
 * send is claimed with a conditional write before publishing and confirmed with the provider's
 * message id after.
 */
export type SendKey = MessageKey;

/** What the ledger knows of one message: claimed (in flight or lost), sent, or suppressed with a reason. */
export interface SendRecord {
  key: SendKey;
  status: 'claimed' | 'sent';
  claimedAt: string;
  sentAt?: string;
  /** The provider's message id, or `suppressed:<reason>` for a message settled without sending. */
  messageId?: string;
}

export interface SendLedger {
  /** The record of one message identity, if it was ever claimed (the client timeline reads it). */
  find(key: SendKey): Promise<SendRecord | undefined>;
  /** True when this caller won the claim; false when someone claimed it before (a duplicate). */
  claim(key: SendKey, claimedAt: string): Promise<boolean>;
  confirm(key: SendKey, messageId: string, sentAt: string): Promise<void>;
  /**
   * Claims and settles in one conditional write, for an outcome known before anything is sent (a
   * suppression): true when this caller recorded it, false when the message was claimed before.
   */
  settle(key: SendKey, outcome: string, at: string): Promise<boolean>;
  /**
   * Gives a claim back when the provider refused the message outright (throttled, 4xx/5xx with a
   * response): nothing went out, so a retry may send it. Only a still-unconfirmed claim is released.
   */
  release(key: SendKey): Promise<void>;
  /** The message a provider message id was sent as (an inbound reply names the one it answers). */
  findSent(messageId: string): Promise<SendKey | undefined>;
  /** Claims older than `before` never confirmed: the crash window, surfaced for a human. */
  listUnconfirmed(programId: string, before: string): Promise<{ key: SendKey; claimedAt: string }[]>;
}
