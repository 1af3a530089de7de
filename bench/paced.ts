/**
 * The 08:00 burst through the real paced path (issue 16), for `npm run bench:scale`: every SMS job
 * of the burst runs as its schedule would run it (send-reminder, check-screen notices) and queues
 * its message in DynamoDB Local; the real drainer (functions/use-cases/sms-queue.ts) then sends
 * them window by window on a virtual clock at the identity's rate. Each message's lateness is the
 * virtual instant it went out minus the instant its job was due. The wall time of the drain is
 * measured too: what one drainer gets through per second on DynamoDB Local. With `numbers`, the
 * burst goes through a pool of origination numbers, each client on its own one, each at `rate`.
 * The run undoes its ledger entries at the end, so the next run sends the same messages again.
 */
import { performance } from 'node:perf_hooks';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { keyOf } from '../functions/adapters/dynamodb/send-ledger.repository.ts';
import { identityKey } from '../functions/domain/pacing.ts';
import type { MessageKey } from '../functions/domain/reminders.ts';
import { runJob } from '../functions/handlers/lambda-job.ts';
import { jobRegistry } from '../functions/jobs/registry.ts';
import type { OneTimeJob } from '../functions/ports/job-scheduler.port.ts';
import type { SmsSender } from '../functions/ports/notifier.port.ts';
import type { SendLedger } from '../functions/ports/send-ledger.port.ts';
import type { Deps } from '../functions/use-cases/deps.ts';
import { drainSmsQueue } from '../functions/use-cases/sms-queue.ts';
import { VirtualClock } from '../local/adapters/virtual-clock.ts';
import { type Dataset, pool, round, usageSince } from './support.ts';

export interface PacedBurst {
  rate: number;
  /** Origination numbers in the pool (1: one number). */
  identities: number;
  messages: number;
  sent: number;
  /** Seconds from the first job's instant to the last message out. */
  drainSeconds: number;
  worstLatenessMinutes: number;
  worstReminderLatenessMinutes: number;
  worstNoticeLatenessMinutes: number;
  /** Reminders that reached their slot after their session started (never sent). */
  remindersPastTheirSession: number;
  /** The most messages one number sent in one second. */
  busiestSecond: number;
  /** Wall time of the whole run on DynamoDB Local, and messages per wall second through one drainer. */
  wallSeconds: number;
  drainedPerWallSecond: number;
  /** DynamoDB units per message of the whole paced path: the job, the queue and the drainer. */
  readUnitsPerMessage: number;
  writeUnitsPerMessage: number;
  /** Drainer windows (one-second runs of drainSmsQueue) the burst took. */
  windows: number;
}

const dueKey = (e: {
  purpose?: unknown;
  sessionId?: unknown;
  offsetMinutes?: unknown;
  clientId?: unknown;
}) => (e.purpose === 'reminder' ? `r|${e.sessionId}|${e.offsetMinutes}` : `n|${e.clientId}`);

export async function measurePacedBurst(
  dataset: Dataset,
  jobs: OneTimeJob[],
  rate: number,
  numbers: string[] = [],
): Promise<PacedBurst> {
  const ordered = [...jobs].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const clock = new VirtualClock(ordered[0]!.at);
  const sent: { at: string; key: string; purpose: string; from: string }[] = [];
  let n = 0;
  let lastFrom = 'default';
  const sms: SmsSender = {
    send: async (message) => {
      lastFrom = message.from ?? 'default';
      return { messageId: `bench-${++n}` };
    },
    isOptedOut: async () => false,
    optIn: async () => undefined,
  };
  const base = dataset.system.deps;
  const settled: MessageKey[] = [];
  const deps: Deps = {
    ...base,
    clock,
    sms,
    activity: {
      record: async (e) => {
        if (e.type === 'sms.sent')
          sent.push({
            from: lastFrom,
            at: clock.now(),
            key: dueKey(e as Record<string, unknown>),
            purpose: String((e as Record<string, unknown>).purpose),
          });
      },
    },
    pacing: {
      queue: base.pacing!.queue,
      // The drainer is driven below, window by window; nothing is given up in a clean burst.
      trigger: { wake: async () => undefined, deadLetter: async () => undefined },
      perSecond: rate,
      identities: numbers,
      // One after another, so each publish is matched with its record (`lastFrom`).
      concurrency: 1,
    },
    // Every message the run settles is written down, so the run can be undone (the next run sends
    // the same messages again).
    ledger: recordingLedger(base.ledger, settled),
  };
  const keysOfPool = numbers.length ? numbers.map(identityKey) : ['default'];
  const due = new Map<string, string>();
  for (const job of ordered) {
    const p = job.payload;
    due.set(p.phase === 'notice' ? `n|${p.clientId}` : `r|${p.sessionId}|${p.offsetMinutes}`, job.at);
  }

  const before = dataset.meter.snapshot();
  const t0 = performance.now();
  let windows = 0;
  let i = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const now = clock.now();
    // The jobs due by now run (queue their messages), as their schedules fire.
    const firing: OneTimeJob[] = [];
    while (i < ordered.length && ordered[i]!.at <= now) firing.push(ordered[i++]!);
    await pool(firing, 16, (job) =>
      runJob(jobRegistry[job.target]!, deps, { ...job.payload, scheduledTime: job.at }),
    );
    const nexts: (string | undefined)[] = [];
    for (const identity of keysOfPool) {
      nexts.push((await drainSmsQueue({ ...deps, pacing: deps.pacing! }, identity)).next);
      windows++;
    }
    const following = [...nexts, ordered[i]?.at].filter((x): x is string => x !== undefined).sort()[0];
    if (!following) break;
    if (following > now) clock.set(following);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const usage = usageSince(before, dataset.meter.snapshot());

  const lateness = (purpose?: string) =>
    Math.max(
      0,
      ...sent
        .filter((s) => !purpose || s.purpose === purpose)
        .map((s) => (Date.parse(s.at) - Date.parse(due.get(s.key) ?? s.at)) / 60_000),
    );
  const perSecond = new Map<string, number>();
  for (const s of sent) perSecond.set(`${s.from} ${s.at}`, (perSecond.get(`${s.from} ${s.at}`) ?? 0) + 1);
  await undo(dataset, settled, keysOfPool);
  const last =
    sent
      .map((s) => s.at)
      .sort()
      .at(-1) ?? ordered[0]!.at;
  return {
    rate,
    identities: keysOfPool.length,
    messages: ordered.length,
    sent: sent.length,
    drainSeconds: (Date.parse(last) - Date.parse(ordered[0]!.at)) / 1000,
    worstLatenessMinutes: round(lateness(), 2),
    worstReminderLatenessMinutes: round(lateness('reminder'), 2),
    worstNoticeLatenessMinutes: round(lateness('screen-notice'), 2),
    remindersPastTheirSession:
      ordered.filter((j) => j.target === 'send-reminder').length -
      sent.filter((s) => s.purpose === 'reminder').length,
    busiestSecond: Math.max(0, ...perSecond.values()),
    wallSeconds: round(wallSeconds, 1),
    drainedPerWallSecond: round(sent.length / wallSeconds, 0),
    readUnitsPerMessage: round(usage.readUnits / Math.max(1, sent.length), 2),
    writeUnitsPerMessage: round(usage.writeUnits / Math.max(1, sent.length), 2),
    windows,
  };
}

/** The ledger, writing down every message a claim or a settlement recorded. */
function recordingLedger(inner: SendLedger, settled: MessageKey[]): SendLedger {
  return {
    find: (key) => inner.find(key),
    claim: async (key, at) => {
      const won = await inner.claim(key, at);
      if (won) settled.push(key);
      return won;
    },
    confirm: (key, messageId, at) => inner.confirm(key, messageId, at),
    settle: async (key, outcome, at) => {
      const won = await inner.settle(key, outcome, at);
      if (won) settled.push(key);
      return won;
    },
    release: (key) => inner.release(key),
    findSent: (messageId) => inner.findSent(messageId),
    listUnconfirmed: (programId, before) => inner.listUnconfirmed(programId, before),
  };
}

/**
 * Deletes the ledger items a run wrote, so another run (another rate, a pool) sends them again,
 * and its numbers' rate counters: the next run replays the same virtual seconds, and a counter
 * left at a later second gives no slot until the clock passes it (as a drainer whose clock ran
 * behind would find).
 */
async function undo(dataset: Dataset, settled: MessageKey[], identities: string[]) {
  const keys = [
    ...settled.map(keyOf),
    ...identities.map((identity) => ({ pk: `SMSRATE#${identity}`, sk: 'RATE' })),
  ];
  await pool(keys, 16, (Key) => dataset.doc.send(new DeleteCommand({ TableName: dataset.tableName, Key })));
}
