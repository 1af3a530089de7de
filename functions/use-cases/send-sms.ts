import type { Client } from '../domain/client.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import { planReminder } from '../domain/reminder-plan.ts';
import { quietHoursFor } from '../domain/session-jobs.ts';
import { type SmsPurpose, smsRuleViolations } from '../domain/sms-templates.ts';
import { minutesBetween } from '../domain/zoned-time.ts';
import type { SendKey } from '../ports/send-ledger.port.ts';
import type { Deps } from './deps.ts';

export type SuppressReason = 'opted-out' | 'no-consent' | 'inactive' | 'quiet-hours' | 'cancelled';

/** A schedule may fire up to a minute late and be retried; beyond this it no longer matches the plan. */
const FIRE_TOLERANCE_MINUTES = 15;

/** Why this client may not be texted now, if anything (invariant 3): checked at send time, never earlier. */
export async function smsBlocker(deps: Deps, client: Client): Promise<SuppressReason | undefined> {
  if (client.status !== 'active') return 'inactive';
  if (!client.smsConsent) return 'no-consent';
  if (client.smsOptedOut) return 'opted-out';
  if (await deps.sms.isOptedOut(client.phone)) return 'opted-out';
  return undefined;
}

export interface SmsRequest {
  program: Program;
  client: Client;
  purpose: SmsPurpose;
  key: SendKey;
  body: string;
  /** Spec event fields: sessionId and offsetMinutes where they apply. */
  context: { sessionId?: string; offsetMinutes?: number };
  /** A reason decided by the caller (e.g. quiet hours, cancelled), recorded instead of sending. */
  suppress?: SuppressReason;
}

export type SmsOutcome =
  | { sent: true; messageId: string }
  | { sent: false; reason: SuppressReason | 'duplicate' };

/**
 * Sends one client SMS exactly once (invariant 1): the ledger is claimed with a conditional write
 * before anything else, so a duplicate or concurrent invocation stops there. A suppression is
 * claimed the same way, so it is recorded once too.
 */
export async function sendClientSms(deps: Deps, request: SmsRequest): Promise<SmsOutcome> {
  const { program, client, purpose, key, body, context } = request;
  const now = deps.clock.now();
  if (!(await deps.ledger.claim(key, now))) {
    deps.log.info('duplicate send ignored', { programId: program.id, purpose, subjectId: key.subjectId });
    return { sent: false, reason: 'duplicate' };
  }
  const reason = request.suppress ?? (await smsBlocker(deps, client));
  if (reason) {
    await deps.ledger.confirm(key, `suppressed:${reason}`, now);
    await deps.activity.record({ type: 'sms.suppressed', clientId: client.id, purpose, ...context, reason });
    return { sent: false, reason };
  }
  const violations = smsRuleViolations(body, program.name);
  if (violations.length) throw new Error(`refusing to send a ${purpose} SMS: ${violations.join('; ')}`);
  // Claimed but not yet confirmed from here on: a crash leaves the claim for listUnconfirmed to surface.
  let messageId: string;
  try {
    ({ messageId } = await deps.sms.send({ to: client.phone, body }));
  } catch (error) {
    // The provider answered with an error (throttling, 4xx, 5xx): the message did not go out, so
    // the claim is given back and the retry sends it. Without an answer (a timeout, a dropped
    // connection) nobody knows: the claim stays, and the sweep surfaces it instead of re-sending.
    if (isRefusal(error)) await deps.ledger.release(key);
    throw error;
  }
  await deps.ledger.confirm(key, messageId, deps.clock.now());
  await deps.activity.record({
    type: 'sms.sent',
    clientId: client.id,
    to: client.phone,
    purpose,
    ...context,
    body,
    messageId,
  });
  return { sent: true, messageId };
}

/** An error the provider answered with, as the AWS SDK reports it (an HTTP status in its metadata). */
export function isRefusal(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return typeof status === 'number' && status >= 400;
}

/** Whether a reminder job firing now still matches the session's plan (a moved session leaves stale jobs). */
export function reminderStillDue(
  program: Program,
  client: Client,
  start: string,
  offsetMinutes: number,
  now: string,
) {
  const decision = planReminder(start, offsetMinutes, quietHoursFor(program, client), program.timezone);
  const expected = decision.action === 'send' ? decision.at : decision.dueAt;
  return { decision, due: Math.abs(minutesBetween(expected, now)) <= FIRE_TOLERANCE_MINUTES };
}
