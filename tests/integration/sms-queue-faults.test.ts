import { describe, expect, it } from 'vitest';
import { addMinutes } from '../../functions/domain/zoned-time.ts';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { drainSmsJob } from '../../functions/jobs/drain-sms.job.ts';
import { sendClientSms } from '../../functions/use-cases/send-sms.ts';
import { localSystem } from '../../local/adapters/local-deps.ts';
import { freshTable } from '../support/dynamo.ts';
import { countCalls, instrumentPorts, PortCalls } from '../support/faults.ts';
import { PROGRAM, seedWorld } from '../support/world.ts';

/**
 * Invariant 10 for the SMS drainer: a window of three queued messages, with one call refused at
 * each of its steps in turn (every DynamoDB command, the opt-out check, the publish, the wake-up).
 * The failed run is followed by its retries a minute apart, as the scheduler (or, in AWS, the
 * drainer's own loop) would run them, until the queue is empty. Each message goes out exactly
 * once, nothing is left claimed and unconfirmed, and nothing stays queued.
 */
const NOW = '2027-01-05T20:00:00Z';
const CLIENTS = ['c-001', 'c-002', 'c-003'];

async function queuedWindow() {
  const { doc, tableName } = await freshTable();
  const sys = localSystem({ doc, tableName, now: NOW, smsPerSecond: 20 });
  await seedWorld(sys, {
    clients: CLIENTS.map((id, i) => ({ id, phone: `+1202555020${i}` })),
    weeks: [],
  });
  const program = (await sys.deps.programs.getProgram(PROGRAM))!;
  for (const id of CLIENTS) {
    const client = (await sys.deps.clients.getClient(PROGRAM, id))!;
    await sendClientSms(sys.deps, {
      program,
      client,
      purpose: 'help',
      key: { programId: PROGRAM, subjectId: `reply-${id}`, purpose: 'help' },
      body: 'Sunrise: this number sends appointment reminders. Reply STOP to opt out.',
      context: {},
      answer: true,
    });
  }
  await sys.scheduler.cancel(sys.scheduler.pending().map((j) => j.name));
  return { sys, doc };
}

const drain = (sys: Awaited<ReturnType<typeof queuedWindow>>['sys']) =>
  runJob(drainSmsJob, sys.deps, { identity: 'default' });

describe('the SMS drainer survives one refused call at any step', async () => {
  const clean = await queuedWindow();
  const calls = await countCalls(clean.sys.deps, clean.doc, () => drain(clean.sys));

  it('the clean run sends the window (so "the same as the clean run" means something)', () => {
    expect(clean.sys.notifier.outbox).toHaveLength(3);
    expect(calls.map((c) => c.label)).toEqual(
      expect.arrayContaining([
        'dynamodb:QueryCommand',
        'sms:isOptedOut',
        'sms:send',
        'dynamodb:DeleteItemCommand',
      ]),
    );
  });

  it.each(calls.map((c) => [c.index, c.label] as const))('call %i refused (%s)', async (index) => {
    const { sys, doc } = await queuedWindow();
    const recorder = new PortCalls().refuseOnce({ index });
    const detach = instrumentPorts(sys.deps, doc, recorder);
    try {
      await recorder.during(() => drain(sys)).catch(() => undefined);
    } finally {
      detach();
    }
    expect(recorder.refused).toHaveLength(1);
    // Retries a minute apart until nothing waits (a lease runs out after two).
    for (let minute = 1; minute <= 5; minute++) {
      sys.clock.set(addMinutes(NOW, minute));
      await drain(sys).catch(() => undefined);
    }
    const sent = sys.notifier.outbox.map((m) => String(m.to)).sort();
    expect(sent).toEqual(['+12025550200', '+12025550201', '+12025550202']);
    expect(await sys.deps.ledger.listUnconfirmed(PROGRAM, addMinutes(NOW, 60))).toEqual([]);
    expect(await sys.deps.pacing!.queue.ready('default', addMinutes(NOW, 60), 10)).toEqual([]);
    expect(sys.activity.ofType('sms.sent')).toHaveLength(3);
  });
});
