import { identityFor, identityKey, nextWindowStart, queueDeadline } from '../domain/pacing.ts';
import { endOfQuiet } from '../domain/quiet-hours.ts';
import { quietHoursFor, sessionSubject } from '../domain/reminders.ts';
import { addMinutes } from '../domain/zoned-time.ts';
import type { QueuedSms, SmsPacing } from '../ports/sms-queue.port.ts';
import type { Deps } from './deps.ts';
import {
  deliverSms,
  isRefusal,
  type SmsDeps,
  type SmsOutcome,
  type SmsRequest,
  type SuppressReason,
} from './send-sms.ts';

/** A drainer that took a message and died lets go of it after this long (its lease). */
export const LEASE_MINUTES = 2;
/** A refused message is tried again a minute later, like a Scheduler retry policy... */
export const RETRY_AFTER_MINUTES = 1;
/** ...up to 10 times, and then given up (dead-lettered): 11 attempts in all. */
export const MAX_ATTEMPTS = 11;

type Paced = { pacing: SmsPacing };

/**
 * Queues a message that may go out for its identity's drainer and wakes it. The identity is the
 * client's (a hash of the number over the pool, so replies reach the number that texted them); the
 * deadline orders the queue (earliest first): a reminder's session start, else by purpose.
 */
export async function queueSms(deps: SmsDeps & Paced, request: SmsRequest): Promise<void> {
  const { pacing } = deps;
  const now = deps.clock.now();
  const from = identityFor(request.client.phone, pacing.identities);
  const identity = identityKey(from);
  await pacing.queue.enqueue({
    identity,
    ...(from ? { from } : {}),
    programId: request.program.id,
    clientId: request.client.id,
    purpose: request.purpose,
    key: request.key,
    body: request.body,
    context: request.context,
    ...(request.answer ? { answer: true } : {}),
    dueAt: now,
    deadline: queueDeadline(request.purpose, now, request.sessionStart),
    notBefore: now,
    attempts: 0,
    status: 'queued',
  });
  await pacing.trigger.wake(identity);
}

export type DrainDeps = SmsDeps & Paced & Pick<Deps, 'programs' | 'clients' | 'sessions'>;

export interface DrainResult {
  sent: number;
  /** Settled without sending (suppressed, a duplicate, skipped as moot) or given up. */
  settled: number;
  /** Put back until quiet hours end. */
  deferred: number;
  /** Refused (put back for a minute), or failed and left leased. */
  retrying: number;
  /** When this identity's drainer should run again, if anything waits. */
  next?: string;
}

/**
 * One window of one identity's drainer: takes up to `perSecond` ready messages, earliest deadline
 * first, reserves that many slots of the current second (so drainers together never exceed the
 * rate), and sends each as `deliverSms` does, after checking again that it is still wanted. Says
 * when to run again: the next second while messages are ready, else when the next one will be.
 */
export async function drainSmsQueue(deps: DrainDeps, identity: string): Promise<DrainResult> {
  const { queue, perSecond } = deps.pacing;
  const now = deps.clock.now();
  const ready = await queue.ready(identity, now, perSecond);
  if (ready.length === 0) {
    const next = await queue.nextReadyAt(identity, now);
    return { sent: 0, settled: 0, deferred: 0, retrying: 0, ...(next ? { next } : {}) };
  }
  const slots = await queue.reserveSlots(identity, now, ready.length, perSecond);
  // Every message of the window runs to its end before the window reports, even when one fails;
  // `concurrency` at a time, in deadline order (1: one after another, as the simulator sends).
  const batch = ready.slice(0, slots);
  const step = Math.max(1, deps.pacing.concurrency ?? perSecond);
  const outcomes: PromiseSettledResult<Drained>[] = [];
  for (let i = 0; i < batch.length; i += step)
    outcomes.push(...(await Promise.allSettled(batch.slice(i, i + step).map((m) => drainOne(deps, m, now)))));
  const failure = outcomes.find((o) => o.status === 'rejected');
  if (failure) throw failure.reason;
  const done = outcomes.map((o) => (o as PromiseFulfilledResult<Drained>).value);
  const more = slots < ready.length || ready.length === perSecond;
  const next = more ? nextWindowStart(now) : await queue.nextReadyAt(identity, now);
  return {
    sent: done.filter((d) => d === 'sent').length,
    settled: done.filter((d) => d === 'settled').length,
    deferred: done.filter((d) => d === 'deferred').length,
    retrying: done.filter((d) => d === 'retrying').length,
    ...(next ? { next } : {}),
  };
}

type Drained = 'sent' | 'settled' | 'deferred' | 'retrying' | 'taken';

async function drainOne(deps: DrainDeps, message: QueuedSms, now: string): Promise<Drained> {
  const { queue, trigger } = deps.pacing;
  if (!(await queue.take(message, now, addMinutes(now, LEASE_MINUTES)))) return 'taken';
  const attempts = message.attempts + 1;
  const ids = { programId: message.programId, purpose: message.purpose, subjectId: message.key.subjectId };
  if (message.status === 'sending') {
    // A drainer took it before and never finished: what the ledger knows decides. A claim means
    // it may have gone out (invariant 10: surfaced by the sweep, never sent twice); a settled
    // record means it is done; nothing means it never got that far, so it goes now.
    if (await deps.ledger.find(message.key)) {
      await queue.remove(message);
      deps.log.warn('queued SMS left by a drainer that did not finish: settled by the ledger', ids);
      return 'settled';
    }
  }
  try {
    const outcome = await deliverQueued(deps, message, now);
    if ('deferUntil' in outcome) {
      await queue.putBack(message, outcome.deferUntil);
      return 'deferred';
    }
    await queue.remove(message);
    return 'sent' in outcome && outcome.sent ? 'sent' : 'settled';
  } catch (error) {
    if (attempts >= MAX_ATTEMPTS) {
      await trigger.deadLetter({ ...message, attempts }, error instanceof Error ? error.name : 'Error');
      await queue.remove(message);
      deps.log.error('queued SMS given up after its last attempt', { ...ids, attempts });
      return 'settled';
    }
    // Refused (the provider answered): nothing went out, the claim was given back; try again in a
    // minute. Anything else stays leased and is taken again when the lease ends.
    if (isRefusal(error)) await queue.putBack(message, addMinutes(now, RETRY_AFTER_MINUTES));
    deps.log.warn('queued SMS not sent; it will be tried again', {
      ...ids,
      attempts,
      error: error instanceof Error ? error.name : 'Error',
    });
    return 'retrying';
  }
}

/**
 * The send-time check, again at the slot (a message may wait minutes in a burst): the client,
 * program and session are read fresh. A session that moved or is gone takes no message; a
 * reminder never goes once its session started; quiet hours hold everything but an answer to the
 * client's own text.
 */
async function deliverQueued(
  deps: DrainDeps,
  message: QueuedSms,
  now: string,
): Promise<SmsOutcome | { deferUntil: string } | { skipped: string }> {
  const skip = (why: string) => {
    deps.log.info('queued SMS no longer due', {
      programId: message.programId,
      purpose: message.purpose,
      why,
    });
    return { skipped: why };
  };
  const [program, client] = await Promise.all([
    deps.programs.getProgram(message.programId),
    deps.clients.getClient(message.programId, message.clientId),
  ]);
  if (!program || !client) return skip('the program or client is gone');
  let suppress: SuppressReason | undefined;
  const sessionId = message.context.sessionId;
  if (sessionId) {
    const session = await deps.sessions.getSession(message.programId, sessionId);
    if (!session || sessionSubject(session) !== message.key.subjectId)
      return skip('the session moved or is gone');
    if (message.purpose === 'reminder') {
      if (now >= session.start) {
        deps.log.warn('reminder reached its slot after its session started: not sent', {
          programId: message.programId,
          subjectId: message.key.subjectId,
        });
        return skip('the session started');
      }
      if (session.status === 'cancelled') suppress = 'cancelled';
    }
    if (message.purpose === 'missed-session' && session.attendance !== 'absent')
      return skip('the client arrived');
  }
  if (!message.answer && !suppress) {
    const end = endOfQuiet(now, quietHoursFor(program, client), program.timezone);
    if (end !== now) {
      // A reminder cannot wait for the morning; anything else goes when quiet hours end.
      if (message.purpose !== 'reminder') return { deferUntil: end };
      suppress = 'quiet-hours';
    }
  }
  const request: SmsRequest = {
    program,
    client,
    purpose: message.purpose,
    key: message.key,
    body: message.body,
    context: message.context,
    ...(message.answer ? { answer: true } : {}),
    ...(suppress ? { suppress } : {}),
    ...(message.from ? { from: message.from } : {}),
  };
  return deliverSms(deps, request);
}
