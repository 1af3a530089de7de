import type { Client } from '../domain/client.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import type { MessageKey } from '../domain/reminders.ts';
import { type SmsPurpose, smsRuleViolations } from '../domain/sms-templates.ts';
import type { SmsPacing } from '../ports/sms-queue.port.ts';
import type { Deps } from './deps.ts';
import { queueSms } from './sms-queue.ts';

export type SuppressReason = 'opted-out' | 'no-consent' | 'inactive' | 'quiet-hours' | 'cancelled';

export type SmsDeps = Pick<Deps, 'sms' | 'ledger' | 'clock' | 'activity' | 'log' | 'pacing'>;

/** What the client's record alone says against texting them. */
function recordedBlocker(client: Client): SuppressReason | undefined {
  if (client.status !== 'active') return 'inactive';
  if (!client.smsConsent) return 'no-consent';
  if (client.smsOptedOut) return 'opted-out';
  return undefined;
}

/** Why this client may not be texted now, if anything (invariant 3): checked at send time, never earlier. */
export async function smsBlocker(
  deps: Pick<Deps, 'sms'>,
  client: Client,
): Promise<SuppressReason | undefined> {
  const recorded = recordedBlocker(client);
  if (recorded) return recorded;
  if (await deps.sms.isOptedOut(client.phone)) return 'opted-out';
  return undefined;
}

/** Only an opt-out, the client's own or the carrier's. */
async function optOutBlocker(deps: Pick<Deps, 'sms'>, client: Client): Promise<SuppressReason | undefined> {
  if (client.smsOptedOut || (await deps.sms.isOptedOut(client.phone))) return 'opted-out';
  return undefined;
}

export interface SmsRequest {
  program: Program;
  client: Client;
  purpose: SmsPurpose;
  key: MessageKey;
  body: string;
  /** Spec event fields: sessionId and offsetMinutes where they apply. */
  context: { sessionId?: string; offsetMinutes?: number };
  /** A reason decided by the caller (e.g. quiet hours, cancelled), recorded instead of sending. */
  suppress?: SuppressReason;
  /**
   * An answer to the client's own text (HELP): carriers require it whatever the client's status
   * or consent, so only an opt-out stops it.
   */
  answer?: boolean;
  /** The session a reminder is for: it must go out before this (the queue's deadline). */
  sessionStart?: string;
  /** The origination identity to send from (the queue's drainer sets it). */
  from?: string;
}

export type SmsOutcome =
  | { sent: true; messageId: string }
  | { sent: false; reason: SuppressReason | 'duplicate' }
  /** Waiting in the identity's queue for a slot (paced sending): the drainer sends it. */
  | { sent: false; reason: 'queued' };

/**
 * Sends one client SMS exactly once (invariant 1). With paced sending (every deployed and local
 * system), a message that may go out is queued for its identity's drainer, which re-checks and
 * sends it in its slot (functions/use-cases/sms-queue.ts); what is already known not to go out
 * (a suppression, an opt-out on record, an inactive client) is settled here at once. Without a
 * queue it goes out now.
 */
export async function sendClientSms(deps: SmsDeps, request: SmsRequest): Promise<SmsOutcome> {
  if (!deps.pacing) return deliverSms(deps, request);
  const { client } = request;
  // The carrier's opt-out list is asked when the message goes out, not twice.
  const known =
    request.suppress ??
    (request.answer ? (client.smsOptedOut ? 'opted-out' : undefined) : recordedBlocker(client));
  if (known) return deliverSms(deps, { ...request, suppress: known });
  await queueSms(deps as SmsDeps & { pacing: SmsPacing }, request);
  return { sent: false, reason: 'queued' };
}

/**
 * Sends one client SMS now, exactly once (invariant 1). The carrier's opt-out list is asked first
 * (a refused or timed-out check leaves nothing behind, so the retry asks again); then the ledger
 * is claimed with a conditional write, so a duplicate or concurrent invocation stops there. A
 * suppression is claimed the same way, so it is recorded once too.
 */
export async function deliverSms(deps: SmsDeps, request: SmsRequest): Promise<SmsOutcome> {
  const { program, client, purpose, key, body, context } = request;
  const now = deps.clock.now();
  const reason =
    request.suppress ?? (request.answer ? await optOutBlocker(deps, client) : await smsBlocker(deps, client));
  // A suppression is claimed and settled in one write; a send is claimed, then confirmed.
  const won = reason
    ? await deps.ledger.settle(key, `suppressed:${reason}`, now)
    : await deps.ledger.claim(key, now);
  if (!won) {
    deps.log.info('duplicate send ignored', { programId: program.id, purpose, subjectId: key.subjectId });
    return { sent: false, reason: 'duplicate' };
  }
  if (reason) {
    await deps.activity.record({ type: 'sms.suppressed', clientId: client.id, purpose, ...context, reason });
    return { sent: false, reason };
  }
  const violations = smsRuleViolations(body, program.name, client.language);
  if (violations.length) {
    await deps.ledger.release(key);
    throw new Error(`refusing to send a ${purpose} SMS: ${violations.join('; ')}`);
  }
  // Claimed but not yet confirmed from here on: a crash leaves the claim for listUnconfirmed to surface.
  const { messageId } = await guarded(deps.ledger, key, () =>
    deps.sms.send({ to: client.phone, body, ...(request.from ? { from: request.from } : {}) }),
  );
  // What went out is recorded before the confirmation: if the confirmation fails, the retry finds
  // the claim and sends nothing, and the record of the one message that went out stands.
  await deps.activity.record({
    type: 'sms.sent',
    clientId: client.id,
    to: client.phone,
    purpose,
    ...context,
    body,
    messageId,
  });
  await confirmSent(deps.ledger, key, messageId, deps.clock.now());
  return { sent: true, messageId };
}

/**
 * Confirms a claim whose message went out. This write matters more than most: if it is lost, the
 * retry finds the claim and rightly sends nothing, but the claim stays unconfirmed and the sweep
 * reports a message that was delivered. So a refused confirmation is tried again at once, a few
 * times, before the job gives up.
 */
export async function confirmSent(
  ledger: Deps['ledger'],
  key: MessageKey,
  messageId: string,
  at: string,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ledger.confirm(key, messageId, at);
      return;
    } catch (error) {
      if (attempt >= CONFIRM_ATTEMPTS || !isRefusal(error)) throw error;
      await pause(20 * 2 ** attempt);
    }
  }
}

const CONFIRM_ATTEMPTS = 4;

/**
 * Runs the side effect a ledger claim guards. When the provider answered with an error
 * (throttling, 4xx, 5xx) the message did not go out, so the claim is given back and the retry
 * sends it. Without an answer (a timeout, a dropped connection) nobody knows: the claim stays, and
 * the sweep surfaces it instead of re-sending (invariant 10).
 */
export async function guarded<T>(
  ledger: Deps['ledger'],
  key: MessageKey,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isRefusal(error)) await ledger.release(key);
    throw error;
  }
}

/** An error the provider answered with, as the AWS SDK reports it (an HTTP status in its metadata). */
export function isRefusal(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return typeof status === 'number' && status >= 400;
}
