import { describe, expect, it } from 'vitest';
import { identityFor, identityKey } from '../../functions/domain/pacing.ts';
import { reminderMessageKey } from '../../functions/domain/reminders.ts';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { jobRegistry } from '../../functions/jobs/registry.ts';
import { optOut } from '../../functions/use-cases/client-lifecycle.ts';
import { type SmsRequest, sendClientSms } from '../../functions/use-cases/send-sms.ts';
import { cancelSession } from '../../functions/use-cases/session-changes.ts';
import { injectedThrottle } from '../../local/adapters/fault-injector.ts';
import { type LocalSystem, localSystem } from '../../local/adapters/local-deps.ts';
import { drainSms } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';
import { PROGRAM, seedWorld, sessionsOf } from '../support/world.ts';

/**
 * Paced sending on DynamoDB Local (issue 16): messages wait in their identity's queue and the
 * drainer sends them in slots of the identity's rate, earliest deadline first, checking each
 * again at its slot. Drainers are run as the scheduler fires them (tests/support/deps.ts drainSms),
 * the clock moved to each next wake-up.
 */
const SEED_AT = '2027-01-01T12:00:00Z';
/** Monday 2027-01-04, 16:00 in New York: the 2-hour reminders of the 18:00 evening group. */
const TWO_HOURS_BEFORE = '2027-01-04T21:00:00Z';
const CLIENTS = Array.from({ length: 10 }, (_, i) => ({
  id: `c-${String(i + 1).padStart(3, '0')}`,
  phone: `+120255501${String(i).padStart(2, '0')}`,
}));

async function world(options: { rate: number; identities?: string[] }) {
  const { doc, tableName } = await freshTable();
  const sys = localSystem({
    doc,
    tableName,
    now: SEED_AT,
    smsPerSecond: options.rate,
    ...(options.identities ? { smsIdentities: options.identities } : {}),
  });
  await seedWorld(sys, { clients: CLIENTS });
  return sys;
}

/** Fires the reminder jobs due at `at` (as Scheduler would; earlier ones are dropped), without running the drainers. */
async function fireReminders(sys: LocalSystem, at: string) {
  sys.clock.set(at);
  const due = sys.scheduler.pending().filter((j) => j.target === 'send-reminder' && j.at <= at);
  await sys.scheduler.cancel(due.map((j) => j.name));
  for (const job of due.filter((j) => j.at === at))
    await runJob(jobRegistry['send-reminder']!, sys.deps, { ...job.payload, scheduledTime: job.at });
}

/** Runs the drainers second by second (moving the clock to each wake-up) until none is waiting. */
async function drainUntilQuiet(sys: LocalSystem, options: { concurrent?: number; until?: string } = {}) {
  for (let i = 0; i < 200; i++) {
    await drainSms(sys, options.concurrent ?? 1);
    const next = sys.scheduler.pending().find((j) => j.target === 'drain-sms');
    if (!next || (options.until && next.at > options.until)) return;
    sys.clock.set(next.at);
  }
  throw new Error('the drainers never went quiet');
}

const smsSent = (sys: LocalSystem) => sys.activity.ofType('sms.sent');
const perSecond = (events: { at?: unknown }[]) => {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(String(e.at), (counts.get(String(e.at)) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, n]) => n);
};

async function helpAnswer(sys: LocalSystem, clientId: string): Promise<SmsRequest> {
  const program = (await sys.deps.programs.getProgram(PROGRAM))!;
  const client = (await sys.deps.clients.getClient(PROGRAM, clientId))!;
  return {
    program,
    client,
    purpose: 'help',
    key: { programId: PROGRAM, subjectId: `reply-test-${clientId}`, purpose: 'help' },
    body: 'Sunrise: this number sends appointment reminders. Reply STOP to opt out.',
    context: {},
    answer: true,
  };
}

describe('paced sending', () => {
  it('sends at most the rate each second, earliest deadline first: an answer queued last goes first', async () => {
    const sys = await world({ rate: 4 });
    await fireReminders(sys, TWO_HOURS_BEFORE);
    expect(smsSent(sys)).toEqual([]); // queued, not sent inside the jobs
    expect(await sendClientSms(sys.deps, await helpAnswer(sys, 'c-005'))).toEqual({
      sent: false,
      reason: 'queued',
    });
    await drainUntilQuiet(sys);
    const sent = smsSent(sys);
    expect(sent).toHaveLength(11);
    expect(perSecond(sent)).toEqual([4, 4, 3]);
    // The first second's four go out side by side, in any order; the answer is one of them.
    expect(sent.find((e) => e.purpose === 'help')).toMatchObject({ at: TWO_HOURS_BEFORE });
    // Each reminder once, all before the session.
    expect(new Set(sent.filter((e) => e.purpose === 'reminder').map((e) => e.clientId)).size).toBe(10);
    expect(sys.notifier.outbox).toHaveLength(11);
  });

  it('checks again at the slot: an opt-out or a cancellation after queueing stops the message', async () => {
    const sys = await world({ rate: 2 });
    await fireReminders(sys, TWO_HOURS_BEFORE);
    await drainSms(sys); // the first second: 2 of 10
    const waiting = (await sys.deps.pacing!.queue.ready('default', sys.clock.now(), 20)).map(
      (m) => m.clientId,
    );
    expect(waiting).toHaveLength(8);
    const [optingOut, cancelled] = waiting as [string, string];
    await optOut(sys.deps, PROGRAM, optingOut);
    const session = (await sessionsOf(sys, cancelled)).find((s) => s.start === '2027-01-04T23:00:00Z')!;
    await cancelSession(sys.deps, (await sys.deps.programs.getProgram(PROGRAM))!, session);
    sys.clock.set('2027-01-04T21:00:01Z');
    await drainUntilQuiet(sys);
    expect(smsSent(sys).map((e) => e.clientId)).not.toContain(optingOut);
    expect(smsSent(sys).map((e) => e.clientId)).not.toContain(cancelled);
    expect(sys.activity.ofType('sms.suppressed')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ clientId: optingOut, reason: 'opted-out' }),
        expect.objectContaining({ clientId: cancelled, reason: 'cancelled' }),
      ]),
    );
    expect(smsSent(sys)).toHaveLength(8);
  });

  it('sends a refused message a minute later, once', async () => {
    const sys = await world({ rate: 20 });
    const send = sys.deps.sms.send.bind(sys.deps.sms);
    let refusals = 1;
    sys.deps.sms = {
      ...sys.deps.sms,
      isOptedOut: sys.deps.sms.isOptedOut.bind(sys.deps.sms),
      optIn: sys.deps.sms.optIn.bind(sys.deps.sms),
      send: async (m) => {
        if (refusals-- > 0) throw injectedThrottle();
        return send(m);
      },
    };
    await sendClientSms(sys.deps, await helpAnswer(sys, 'c-001'));
    await expect(drainSms(sys)).rejects.toThrow(/refused/);
    expect(smsSent(sys)).toEqual([]);
    // Its drainer's retry, a minute later, as the scheduler's retry policy runs it.
    sys.clock.set('2027-01-01T12:01:00Z');
    await sys.deps.pacing!.trigger.wake('default');
    await drainUntilQuiet(sys);
    expect(smsSent(sys)).toHaveLength(1);
    expect(smsSent(sys)[0]).toMatchObject({ purpose: 'help', at: '2027-01-01T12:01:00Z' });
    expect(await sys.deps.pacing!.queue.ready('default', '2027-01-02T00:00:00Z', 10)).toEqual([]);
  });

  it('takes back a message from a drainer that died: sent once its lease ends, or left to the ledger if it may have gone', async () => {
    const sys = await world({ rate: 20 });
    const { queue } = sys.deps.pacing!;
    await sendClientSms(sys.deps, await helpAnswer(sys, 'c-001'));
    await sendClientSms(sys.deps, await helpAnswer(sys, 'c-002'));
    const [first, second] = await queue.ready('default', SEED_AT, 10);
    // Two drainers took them and died: one before anything, one after claiming its message (it may have gone out).
    expect(await queue.take(first!, SEED_AT, '2027-01-01T12:02:00Z')).toBe(true);
    expect(await queue.take(second!, SEED_AT, '2027-01-01T12:02:00Z')).toBe(true);
    await sys.deps.ledger.claim(second!.key, SEED_AT);
    await drainSms(sys);
    expect(smsSent(sys)).toEqual([]); // leased
    sys.clock.set('2027-01-01T12:02:00Z');
    await sys.deps.pacing!.trigger.wake('default');
    await drainUntilQuiet(sys);
    expect(smsSent(sys).map((e) => e.clientId)).toEqual([first!.clientId]);
    // The claimed one is never sent again: the sweep reports it as unconfirmed.
    expect(await sys.deps.ledger.listUnconfirmed(PROGRAM, '2027-01-02T00:00:00Z')).toEqual([
      expect.objectContaining({ key: expect.objectContaining({ subjectId: second!.key.subjectId }) }),
    ]);
    expect(await queue.ready('default', '2027-01-02T00:00:00Z', 10)).toEqual([]);
  });

  it('holds the rate when three drainers race for the same seconds, and sends each message once', async () => {
    const sys = await world({ rate: 3 });
    await fireReminders(sys, TWO_HOURS_BEFORE);
    await drainUntilQuiet(sys, { concurrent: 3 });
    const sent = smsSent(sys);
    expect(sent).toHaveLength(10);
    expect(Math.max(...perSecond(sent))).toBeLessThanOrEqual(3);
    expect(new Set(sys.notifier.outbox.map((m) => String(m.to))).size).toBe(10);
  });

  it('holds what may not go out in quiet hours: a reminder is suppressed, anything else waits for the morning', async () => {
    const sys = await world({ rate: 20 });
    const monday = (await sessionsOf(sys, 'c-001')).find((s) => s.start === '2027-01-04T23:00:00Z')!;
    const program = (await sys.deps.programs.getProgram(PROGRAM))!;
    const client = (await sys.deps.clients.getClient(PROGRAM, 'c-001'))!;
    // Queued a second before 21:00 in New York (02:00Z), sent after it.
    sys.clock.set('2027-01-05T01:59:59Z');
    await sendClientSms(sys.deps, {
      program,
      client,
      purpose: 'missed-session',
      key: { programId: PROGRAM, subjectId: 'test-note', purpose: 'missed-session' },
      body: 'Sunrise: we missed you at your appointment. Please call us to reschedule. Reply STOP to opt out.',
      context: {},
    });
    await sendClientSms(sys.deps, {
      program,
      client,
      purpose: 'reminder',
      key: reminderMessageKey({ ...monday, start: '2027-01-06T14:00:00Z' }, 1440),
      body: 'Sunrise: reminder of your appointment Wed 9:00 AM. Reply STOP to opt out.',
      context: {},
      sessionStart: '2027-01-06T14:00:00Z',
    });
    sys.clock.set('2027-01-05T02:00:05Z');
    await drainUntilQuiet(sys, { until: '2027-01-05T12:00:00Z' });
    expect(smsSent(sys)).toEqual([]);
    expect(sys.activity.ofType('sms.suppressed')).toEqual([
      expect.objectContaining({ purpose: 'reminder', reason: 'quiet-hours' }),
    ]);
    // The note waits for 08:00 (13:00Z), when its drainer is woken.
    const wake = sys.scheduler.pending().find((j) => j.target === 'drain-sms')!;
    expect(wake.at).toBe('2027-01-05T13:00:00Z');
    sys.clock.set(wake.at);
    await drainUntilQuiet(sys);
    expect(smsSent(sys)).toEqual([
      expect.objectContaining({ purpose: 'missed-session', at: '2027-01-05T13:00:00Z' }),
    ]);
  });

  it('sends each client from one identity of the pool, always the same, at the rate of each', async () => {
    const pool = ['+18005550100', '+18005550101'];
    const sys = await world({ rate: 2, identities: pool });
    await fireReminders(sys, TWO_HOURS_BEFORE);
    for (const identity of pool) await sys.deps.pacing!.trigger.wake(identityKey(identity));
    await drainUntilQuiet(sys);
    const outbox = sys.notifier.outbox as unknown as { to: string; from?: string; at: string }[];
    expect(outbox).toHaveLength(10);
    for (const m of outbox) expect(m.from).toBe(identityFor(m.to, pool));
    expect(new Set(outbox.map((m) => m.from)).size).toBe(2);
    for (const identity of pool)
      expect(Math.max(...perSecond(outbox.filter((m) => m.from === identity)))).toBeLessThanOrEqual(2);
  });
});
