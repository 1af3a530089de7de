/**
 * `npm run bench:scale` (issue 16): Cadence at the scale of a national network, 100,000 clients in
 * 100 programs. Not part of `npm test`; writes `scale` into bench/results.json.
 *
 * What is measured and what is derived:
 * - One program of 10,000 clients (the most one origination identity serves in the targets) is
 *   seeded into DynamoDB Local; its weekly generation, draw and sweep run for real, and their AWS
 *   time is projected as in `npm run bench` (bench/support.ts projectToAws).
 * - The network's schedules are the measured per-client counts times 100,000 (every schedule is
 *   per session or per selection); peak pending comes from the measured week and the program's
 *   own weekly-generation time (the week before is the same week, seven days earlier).
 * - The 08:00 burst is the measured busiest minute (reminders and Monday's screen notices). Today
 *   nothing paces sending, so its lateness is what SNS does beyond the identity's rate (unknown:
 *   the target fails). `pacedModel` is the earliest-deadline-first drain at the identity's rate
 *   that issue 16 builds (functions/domain/pacing.ts `planPacedSends`, the plan the outbox
 *   drainer will follow): what it would give, to decide with.
 * - Cost per 1,000 clients is scale-free (every price is per request, item or GB): it is read from
 *   the last `npm run bench` (bench/results.json `costPer1000ClientsMonthUSD`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { planPacedSends } from '../functions/domain/pacing.ts';
import { lastWeeklyRun } from '../functions/domain/recurring-jobs.ts';
import { addMinutes } from '../functions/domain/zoned-time.ts';
import type { OneTimeJob } from '../functions/ports/job-scheduler.port.ts';
import { createTable, documentClient, rawClient, startDynamoLocal } from '../local/adapters/dynamo-local.ts';
import { measureDrawJob } from './draw.ts';
import { measureGeneration } from './generation.ts';
import { measurePacedBurst } from './paced.ts';
import { SMS_RATES } from './peak.ts';
import { PRICES } from './prices.ts';
import { functionSpec, progress, round, seedDataset } from './support.ts';
import { measureSweep } from './sweep.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench/results.json');

const NETWORK = { programs: 100, clientsPerProgram: 1_000 };
const CLIENTS = NETWORK.programs * NETWORK.clientsPerProgram;
const UNIT = 10_000;
/** EventBridge Scheduler's default quota of schedules per account and Region. */
const SCHEDULE_QUOTA = 10_000_000;
const LATENESS_LIMIT_MINUTES = 5;
/** The rate of the lateness target: one identity of 10,000 clients at 20 messages per second. */
const PACED_RATE = 20;

const isSms = (job: OneTimeJob) =>
  job.target === 'send-reminder' || (job.target === 'check-screen' && job.payload.phase === 'notice');

/** A message of the burst: when it is due and the last instant it is still of use. */
interface Due {
  dueAt: string;
  cutoff: string;
}

const dueOf = (job: OneTimeJob, windowHours: number): Due => ({
  dueAt: job.at,
  // A reminder is of no use once its session starts; a screen notice within its window.
  cutoff: job.target === 'send-reminder' ? String(job.payload.start) : addMinutes(job.at, windowHours * 60),
});

/** The burst as functions/domain/pacing.ts would send it: EDF at `rate` on a pool of identities. */
export function edfDrain(messages: Due[], rate: number, identities = 1) {
  const plan = planPacedSends(
    messages.map((m, i) => ({ key: String(i), ...m })),
    { perSecond: rate, identities },
  );
  const due = new Map(messages.map((m, i) => [String(i), m]));
  const urgent = plan.filter((p) => {
    const m = due.get(p.key)!;
    return Date.parse(m.cutoff) - Date.parse(m.dueAt) <= 3 * 3600_000;
  });
  const worst = (ps: typeof plan) => Math.max(0, ...ps.map((p) => p.latenessSeconds));
  return {
    drainSeconds: round(Math.ceil(messages.length / identities) / rate, 0),
    worstLatenessMinutes: round(worst(plan) / 60, 1),
    /** The last message due within 3 hours (a 2-hour reminder), sent this long after it was due. */
    lastUrgentMinutes: round(worst(urgent) / 60, 1),
    pastCutoff: plan.filter((p) => p.late).length,
  };
}

/**
 * What paced sending adds per 1,000 clients a month, on top of the direct send `npm run bench`
 * priced: the DynamoDB units the burst measured per message beyond the direct send's, one FIFO
 * wake-up sent, received and deleted per message (received and deleted 10 at a time), a drainer
 * invocation per 10 wake-ups, and the drainer's time, one window (1 s, of which it mostly waits)
 * per `rate` messages at its memory.
 */
function pacedPathCost(
  paced: Awaited<ReturnType<typeof measurePacedBurst>>,
  previous: Record<string, unknown>,
  smsPerMonth: number,
) {
  const direct = (
    previous.reminders as { sendPath?: { dynamoPerSms?: { readUnits: number; writeUnits: number } } }
  )?.sendPath?.dynamoPerSms ?? { readUnits: 2, writeUnits: 4 };
  const extraRead = Math.max(0, paced.readUnitsPerMessage - direct.readUnits);
  const extraWrite = Math.max(0, paced.writeUnitsPerMessage - direct.writeUnits);
  const drainerGb = functionSpec('drain-sms').memoryMb / 1024;
  const perMessage = {
    dynamoUSD:
      extraRead * (PRICES.dynamodb.perMillionReadRequestUnits / 1e6) +
      extraWrite * (PRICES.dynamodb.perMillionWriteRequestUnits / 1e6),
    sqsUSD: 1.2 * (PRICES.sqs.perMillionFifoRequests / 1e6),
    lambdaUSD:
      0.1 * (PRICES.lambda.perMillionRequests / 1e6) +
      (1 / paced.rate) * drainerGb * PRICES.lambda.perGbSecondArm64,
  };
  const each = perMessage.dynamoUSD + perMessage.sqsUSD + perMessage.lambdaUSD;
  return {
    smsPerMonth: round(smsPerMonth, 0),
    extraReadUnitsPerSms: round(extraRead, 2),
    extraWriteUnitsPerSms: round(extraWrite, 2),
    perSmsUSD: round(each, 8),
    usd: round(each * smsPerMonth, 3),
  };
}

async function main() {
  const dynamo = await startDynamoLocal();
  const tableName = `scale-${Date.now()}`;
  await createTable(dynamo.endpoint, tableName);
  const doc = documentClient(dynamo.endpoint);
  try {
    progress(`one program of ${UNIT.toLocaleString('en-US')} clients: seeding`);
    const dataset = await seedDataset(doc, tableName, UNIT);
    progress('generate-week');
    const { result: generation } = await measureGeneration(dataset);
    progress('draw-screens');
    const { result: draw } = await measureDrawJob(dataset);
    progress('sweep-engagement');
    const sweep = await measureSweep(dataset);

    const week = dataset.system.scheduler.pending();
    const program = dataset.program;
    const perClient = week.length / UNIT;

    // Peak pending: at the weekly generation of week W, all of W is pending and what is left of W-1.
    const firstOfWeek = week.map((j) => j.at).sort()[0]!;
    const generatedAt = lastWeeklyRun(program, firstOfWeek);
    const leftOfPreviousWeek = week.filter((j) => addMinutes(j.at, -7 * 24 * 60) > generatedAt).length;
    const peakPendingPerClient = (week.length + leftOfPreviousWeek) / UNIT;
    const peakPending = Math.round(peakPendingPerClient * CLIENTS);

    // The busiest minute of SMS jobs for one identity's 10,000 clients, and what follows it within
    // 15 minutes (the screen notices, planned after that minute's reminders).
    const byMinute = new Map<string, OneTimeJob[]>();
    for (const job of week.filter(isSms))
      byMinute.set(job.at.slice(0, 16), [...(byMinute.get(job.at.slice(0, 16)) ?? []), job]);
    const [minute] = [...byMinute].sort((a, b) => b[1].length - a[1].length)[0]!;
    const burstStart = `${minute}:00Z`;
    const burst = week.filter((j) => isSms(j) && j.at >= burstStart && j.at < addMinutes(burstStart, 15));
    const windowHours = program.drugScreens?.windowHours ?? 4;
    const messages = burst.map((j) => dueOf(j, windowHours));
    progress(`the burst through the real queue and drainer at ${PACED_RATE}/s (${burst.length} messages)`);
    const paced = await measurePacedBurst(dataset, burst, PACED_RATE);
    const pacedModel = SMS_RATES.map(({ rate, identity }) => {
      const one = edfDrain(messages, rate);
      let pool = 1;
      while (edfDrain(messages, rate, pool).worstLatenessMinutes > LATENESS_LIMIT_MINUTES) pool++;
      return { rate, identity, ...one, identitiesForFiveMinutes: pool };
    });
    // The measured answer at 3 msg/s (toll-free): from the pool the model asks for, the smallest
    // that keeps the burst within 5 minutes through the real path. Clients stay on one number each
    // (a hash), so the busiest number carries a little more than its share: the model's perfectly
    // even pool can be one number short.
    const tollFree = pacedModel.find((m) => m.rate === 3)!;
    const numbers = (n: number) =>
      Array.from({ length: n }, (_, i) => `+1800555${String(100 + i).padStart(4, '0')}`);
    const pacedPools: Awaited<ReturnType<typeof measurePacedBurst>>[] = [];
    for (let n = tollFree.identitiesForFiveMinutes; n <= tollFree.identitiesForFiveMinutes + 3; n++) {
      progress(`the burst at 3/s through a pool of ${n} numbers, real queue and drainers`);
      const run = await measurePacedBurst(dataset, burst, 3, numbers(n));
      pacedPools.push(run);
      if (run.worstLatenessMinutes <= LATENESS_LIMIT_MINUTES) break;
    }
    const pacedPool = pacedPools.at(-1)!;

    const previous = JSON.parse(await readFile(RESULTS, 'utf8').catch(() => '{}')) as Record<string, unknown>;
    const cost = previous.costPer1000ClientsMonthUSD as { infrastructure?: number; sms?: number } | undefined;
    const smsMonthly = (cost as { smsPerMonth?: number } | undefined)?.smsPerMonth;
    const model = (cost as { model?: { smsPerMonth?: number } } | undefined)?.model;
    const smsPerMonth = smsMonthly ?? model?.smsPerMonth ?? Number.NaN;
    const pacedCost = pacedPathCost(paced, previous, smsPerMonth);
    // The last `npm run bench` priced the direct send; the paced path's extra work is added here.
    const infra = round((cost?.infrastructure ?? Number.NaN) + pacedCost.usd, 3);
    const sms = cost?.sms ?? Number.NaN;

    const scale = {
      measuredAt: new Date().toISOString(),
      network: { ...NETWORK, clients: CLIENTS },
      unitProgramClients: UNIT,
      schedules: {
        perWeek: Math.round(perClient * CLIENTS),
        perClientPerWeek: round(perClient, 2),
        distinctMinutesPerProgram: new Set(week.map((j) => j.at.slice(0, 16))).size,
        generatedAt,
        peakPending,
        peakPendingShareOfQuota: round(peakPending / SCHEDULE_QUOTA, 3),
        quota: SCHEDULE_QUOTA,
      },
      burst: {
        minute: `${minute}Z`,
        messagesPerIdentity: burst.length,
        reminders: burst.filter((j) => j.target === 'send-reminder').length,
        screenNotices: burst.filter((j) => j.target === 'check-screen').length,
        noticesPlannedAt: burst.find((j) => j.target === 'check-screen')?.at ?? null,
        /** Measured: the real jobs, queue and drainer on DynamoDB Local, virtual time at 20/s. */
        paced,
        /** The same plan (functions/domain/pacing.ts) at other rates and pool sizes. */
        pacedModel,
        /** Measured: the same burst at 3/s through pools of toll-free numbers, up to the first within 5 minutes. */
        pacedPools,
        tollFreeNumbersForFiveMinutes:
          pacedPool.worstLatenessMinutes <= LATENESS_LIMIT_MINUTES ? pacedPool.identities : null,
      },
      perProgram: {
        clients: UNIT,
        generation: {
          localSeconds: generation.seconds,
          projectedAwsSeconds: generation.projectedAwsSeconds,
          timeoutSeconds: generation.timeoutSeconds,
          writeRequests: generation.writeRequests,
          minimumWriteRequests: generation.minimumWriteRequests,
          writeRatio: generation.writeRatio,
        },
        draw: {
          projectedAwsSeconds: draw.projectedAwsSeconds,
          timeoutSeconds: draw.timeoutSeconds,
          share: round(draw.projectedAwsSeconds / draw.timeoutSeconds, 3),
          dynamoRequests: draw.dynamoRequestsTotal,
          schedulesCreated: draw.schedulesCreated,
        },
        sweep: {
          projectedAwsSeconds: sweep.projectedAwsSeconds,
          timeoutSeconds: sweep.timeoutSeconds,
          share: round(sweep.projectedAwsSeconds / sweep.timeoutSeconds, 3),
          requestsPerClient: sweep.requestsPerClient,
        },
      },
      costPer1000ClientsMonthUSD: {
        infrastructure: infra,
        directSendInfrastructure: cost?.infrastructure ?? null,
        pacedSending: pacedCost,
        sms,
        infrastructureShareOfSms: round(infra / sms, 4),
      },
      targets: [
        {
          target: `08:00 burst worst lateness at ${PACED_RATE} msg/s, ${UNIT.toLocaleString('en-US')} clients per identity (minutes, measured through the queue and drainer; every message, notices from their planned time)`,
          value: paced.worstLatenessMinutes,
          limit: LATENESS_LIMIT_MINUTES,
          pass:
            paced.worstLatenessMinutes <= LATENESS_LIMIT_MINUTES &&
            paced.sent === paced.messages &&
            paced.busiestSecond <= PACED_RATE,
        },
        {
          target: 'draw-screens AWS time / timeout at 10,000 clients per program',
          value: round(draw.projectedAwsSeconds / draw.timeoutSeconds, 3),
          limit: 0.25,
          pass: draw.projectedAwsSeconds / draw.timeoutSeconds <= 0.25,
        },
        {
          target: 'sweep-engagement AWS time / timeout at 10,000 clients per program',
          value: round(sweep.projectedAwsSeconds / sweep.timeoutSeconds, 3),
          limit: 0.25,
          pass: sweep.projectedAwsSeconds / sweep.timeoutSeconds <= 0.25,
        },
        {
          target: 'peak pending schedules at 100,000 clients / default quota',
          value: round(peakPending / SCHEDULE_QUOTA, 3),
          limit: 0.2,
          pass: peakPending / SCHEDULE_QUOTA <= 0.2,
        },
        {
          target: 'infrastructure USD per 1,000 clients per month',
          value: infra,
          limit: 1,
          pass: infra <= 1,
        },
        {
          target: 'infrastructure / SMS spend',
          value: round(infra / sms, 4),
          limit: 0.1,
          pass: infra / sms <= 0.1,
        },
      ],
    };
    await writeFile(RESULTS, `${JSON.stringify({ ...previous, scale }, null, 2)}\n`);
    console.log(JSON.stringify(scale, null, 2));
  } finally {
    doc.destroy();
    const raw = rawClient(dynamo.endpoint);
    await raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    raw.destroy();
    await dynamo.stop();
  }
}

await main();
