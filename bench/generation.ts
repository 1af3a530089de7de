import { planWeek } from '../functions/domain/schedule.ts';
import { runJob } from '../functions/handlers/lambda-job.ts';
import { generateWeekJob } from '../functions/jobs/generate-week.job.ts';
import type { OneTimeJob } from '../functions/ports/job-scheduler.port.ts';
import { ASSUMPTIONS } from './prices.ts';
import {
  countingScheduler,
  type Dataset,
  type DynamoUsage,
  depsAt,
  functionSpec,
  GENERATED_AT,
  median,
  round,
  totalRequests,
  usageSince,
  WEEK,
} from './support.ts';

const BATCH_WRITE_LIMIT = 25;

export interface GenerationResult {
  clients: number;
  /** Median over `runs` (each on a fresh table); the other fields are the first run's. */
  seconds: number;
  runs: number[];
  /** BatchWriteItem requests (incl. retries of UnprocessedItems). */
  writeRequests: number;
  /** ceil(items written / 25): sessions and shortfalls. */
  minimumWriteRequests: number;
  writeRatio: number;
  itemsWritten: number;
  sessions: number;
  shortfalls: number;
  unplaced: number;
  dynamoRequests: Record<string, number>;
  dynamoRequestsTotal: number;
  readUnits: number;
  writeUnits: number;
  /** One-time schedules the run created (InProcessScheduler), by target. */
  schedulesCreated: number;
  schedulesByTarget: Record<string, number>;
  /** Of `seconds` (first run), the time inside DynamoDB calls. */
  dynamoSeconds: number;
  /**
   * Distinct (target, minute) pairs among the schedules: how many schedules one batch schedule per
   * program, target and minute would need instead of one per session and offset.
   */
  distinctScheduleMinutes: number;
  /** The pure planWeek on the same input (median of runs): CPU, no I/O. */
  planWeekSeconds: number;
  /** The most scheduleOnce calls the use case had in flight at once (1 = one after another). */
  scheduleConcurrency: number;
  /**
   * In AWS each schedule is one CreateSchedule call: the measured time plus
   * schedules × ASSUMPTIONS.createScheduleMs / scheduleConcurrency, of the longest invocation
   * (the weekly run, or one of its parts).
   */
  projectedAwsSeconds: number;
  /** All invocations together (the weekly run and its parts): what Lambda bills. */
  projectedAwsSecondsTotal: number;
  /** The parts the weekly run fanned out to (0: it did everything itself). */
  parts: number;
  /** generate-week's timeout in infra/functions.ts. */
  timeoutSeconds: number;
  fitsLambdaTimeout: boolean;
  /** A second run of the same week (a retried or duplicated schedule). */
  rerun: {
    seconds: number;
    writeRequests: number;
    schedulesCreated: number;
    dynamoRequests: Record<string, number>;
  };
}

const writesOf = (usage: DynamoUsage) => usage.requests.BatchWriteItem ?? 0;

const isWeekPart = (job: OneTimeJob) => job.target === 'generate-week' && job.payload.part !== undefined;

/**
 * The weekly run as it runs in AWS: the job (which plans and writes the week, and above 1,000
 * clients fans out), then each part it left, one after another here (in AWS they run side by side,
 * a minute later). Returns the job's outcome and each invocation's time and schedule calls.
 */
async function runWeekly(
  dataset: Dataset,
  deps: ReturnType<typeof depsAt>,
  counting: ReturnType<typeof countingScheduler>,
) {
  const invocations: { seconds: number; schedules: number }[] = [];
  const timed = async (payload: Record<string, unknown>) => {
    const calls = counting.counts.created;
    const t0 = performance.now();
    const outcome = await runJob(generateWeekJob, deps, payload);
    invocations.push({
      seconds: (performance.now() - t0) / 1000,
      schedules: counting.counts.created - calls,
    });
    return outcome;
  };
  const outcome = (await timed({ programId: dataset.program.id, week: WEEK })) as {
    created: number;
    shortfalls: number;
    unplaced: unknown[];
    parts?: number;
  };
  const parts = dataset.system.scheduler.pending().filter(isWeekPart);
  await dataset.system.scheduler.cancel(parts.map((j) => j.name));
  for (const part of parts) await timed(part.payload);
  return { outcome, invocations, parts: parts.length };
}

export async function measureGeneration(
  dataset: Dataset,
): Promise<{ result: GenerationResult; jobs: OneTimeJob[] }> {
  const { system, program, meter } = dataset;
  const counting = countingScheduler(system.scheduler);
  const deps = depsAt(dataset, GENERATED_AT, { scheduler: counting.scheduler });
  const before = meter.snapshot();
  const weekly = await runWeekly(dataset, deps, counting);
  const { outcome } = weekly;
  const seconds = weekly.invocations.reduce((n, i) => n + i.seconds, 0);
  const usage = usageSince(before, meter.snapshot());
  const jobs = system.scheduler.pending();
  const scheduleCalls = counting.counts.created;
  const schedulesByTarget: Record<string, number> = {};
  for (const job of jobs) schedulesByTarget[job.target] = (schedulesByTarget[job.target] ?? 0) + 1;

  // The shortfalls the run wrote are the plan's (the table had none before).
  const itemsWritten = outcome.created + outcome.shortfalls;
  const minimumWriteRequests = Math.ceil(itemsWritten / BATCH_WRITE_LIMIT);

  // The same planning on the same input, without I/O: how much of `seconds` is CPU.
  const [clinicians, clients] = await Promise.all([
    system.deps.programs.listClinicians(program.id),
    system.deps.clients.listClients(program.id),
  ]);
  const planRuns: number[] = [];
  for (let i = 0; i < (dataset.clients > 2000 ? 1 : 3); i++) {
    const p0 = performance.now();
    planWeek({ program, clinicians, clients, week: WEEK, existing: [] });
    planRuns.push((performance.now() - p0) / 1000);
  }

  // A rerun: ids are deterministic, so nothing new is written or scheduled.
  const scheduledBefore = counting.counts.created;
  const rBefore = meter.snapshot();
  const r0 = performance.now();
  await runWeekly(dataset, deps, counting);
  const rerunSeconds = (performance.now() - r0) / 1000;
  const rUsage = usageSince(rBefore, meter.snapshot());

  const scheduleConcurrency = Math.max(1, counting.counts.maxInFlight);
  const aws = (i: { seconds: number; schedules: number }) =>
    i.seconds + (i.schedules * ASSUMPTIONS.createScheduleMs) / scheduleConcurrency / 1000;
  // The longest invocation is what meets the timeout (the parts run side by side); all of them
  // together are what is billed.
  const projectedAwsSeconds = Math.max(...weekly.invocations.map(aws));
  const projectedAwsSecondsTotal = weekly.invocations.reduce((n, i) => n + aws(i), 0);
  const { timeoutSeconds } = functionSpec('generate-week');
  const result: GenerationResult = {
    clients: dataset.clients,
    seconds: round(seconds, 2),
    runs: [round(seconds, 2)],
    writeRequests: writesOf(usage),
    minimumWriteRequests,
    writeRatio: round(writesOf(usage) / Math.max(1, minimumWriteRequests), 3),
    itemsWritten,
    sessions: outcome.created,
    shortfalls: outcome.shortfalls,
    unplaced: outcome.unplaced.length,
    dynamoRequests: usage.requests,
    dynamoRequestsTotal: totalRequests(usage),
    readUnits: usage.readUnits,
    writeUnits: usage.writeUnits,
    schedulesCreated: scheduleCalls,
    schedulesByTarget,
    dynamoSeconds: usage.dynamoSeconds,
    distinctScheduleMinutes: new Set(jobs.map((j) => `${j.target} ${j.at.slice(0, 16)}`)).size,
    planWeekSeconds: round(median(planRuns), 2),
    scheduleConcurrency,
    projectedAwsSeconds: round(projectedAwsSeconds, 0),
    projectedAwsSecondsTotal: round(projectedAwsSecondsTotal, 0),
    parts: weekly.parts,
    timeoutSeconds,
    fitsLambdaTimeout: projectedAwsSeconds <= timeoutSeconds,
    rerun: {
      seconds: round(rerunSeconds, 2),
      writeRequests: writesOf(rUsage),
      schedulesCreated: counting.counts.created - scheduledBefore,
      dynamoRequests: rUsage.requests,
    },
  };
  return { result, jobs };
}

/** Only the time of one more generation run on a freshly seeded table (for the median). */
export async function generationSeconds(dataset: Dataset): Promise<number> {
  const counting = countingScheduler(dataset.system.scheduler);
  const deps = depsAt(dataset, GENERATED_AT, { scheduler: counting.scheduler });
  const t0 = performance.now();
  await runWeekly(dataset, deps, counting);
  return round((performance.now() - t0) / 1000, 2);
}
