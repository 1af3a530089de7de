import { randomBytes } from 'node:crypto';
import { keys } from '../functions/adapters/dynamodb/keys.ts';
import { drawScreens, newSeed } from '../functions/domain/screening.ts';
import { runJob } from '../functions/handlers/lambda-job.ts';
import { drawScreensJob } from '../functions/jobs/draw-screens.job.ts';
import { ASSUMPTIONS } from './prices.ts';
import { mockedSns } from './reminders.ts';
import {
  countingScheduler,
  type Dataset,
  depsAt,
  functionSpec,
  localInstant,
  MONDAY,
  median,
  percentile,
  projectToAws,
  round,
  totalRequests,
  usageSince,
} from './support.ts';

const DYNAMO_ITEM_LIMIT_BYTES = 400 * 1024;

/** DynamoDB's item size: attribute names and values (strings as UTF-8, numbers ~ digits/2+1, +3 per list/map element). */
export function dynamoItemBytes(item: Record<string, unknown>): number {
  const sizeOf = (value: unknown): number => {
    if (value === null || value === undefined) return 1;
    if (typeof value === 'string') return Buffer.byteLength(value);
    if (typeof value === 'number') return Math.ceil(String(value).replace(/^-|\./g, '').length / 2) + 1;
    if (typeof value === 'boolean') return 1;
    if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + sizeOf(v), 0);
    if (typeof value === 'object')
      return (
        3 +
        Object.entries(value as Record<string, unknown>).reduce(
          (n, [k, v]) => n + Buffer.byteLength(k) + 1 + sizeOf(v),
          0,
        )
      );
    return 0;
  };
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + sizeOf(v), 0);
}

export interface PureDrawResult {
  clients: number;
  /** Median of `runs` draws over the same pool with fresh seeds. */
  milliseconds: number;
  p95Milliseconds: number;
  runs: number;
  selected: number;
}

/** drawScreens (pure: HMAC-SHA-256 stream, Fisher-Yates, minimum pass) over `clients` ids. */
export function measurePureDraw(clients: number, runs = 31): PureDrawResult {
  const pool = Array.from({ length: clients }, (_, i) => `cl-${String(i).padStart(5, '0')}`);
  const remainingDrawDaysWithSession = Object.fromEntries(pool.map((id, i) => [id, i % 3]));
  const selectedThisWeek = Object.fromEntries(pool.filter((_, i) => i % 7 === 0).map((id) => [id, 1]));
  const policy = { rate: 0.2, minPerWeek: 1 };
  const ms: number[] = [];
  let selected = 0;
  for (let i = 0; i < runs + 3; i++) {
    const seed = newSeed((n) => randomBytes(n));
    const t = performance.now();
    const result = drawScreens({ seed, pool, policy, selectedThisWeek, remainingDrawDaysWithSession });
    if (i >= 3) ms.push(performance.now() - t); // the first runs warm the JIT
    selected = result.selections.length;
  }
  return {
    clients,
    milliseconds: round(median(ms), 2),
    p95Milliseconds: round(percentile(ms, 95), 2),
    runs,
    selected,
  };
}

export interface DrawJobResult {
  clients: number;
  pool: number;
  selected: number;
  seconds: number;
  dynamoRequests: Record<string, number>;
  dynamoRequestsTotal: number;
  readUnits: number;
  writeUnits: number;
  schedulesCreated: number;
  /** Of `seconds`, the time inside DynamoDB calls; the rest is CPU (pool building, the draw, parsing). */
  dynamoSeconds: number;
  /** projectToAws(seconds) + CreateSchedule calls at ASSUMPTIONS.createScheduleMs / their concurrency. */
  projectedAwsSeconds: number;
  /** draw-screens' timeout in infra/functions.ts. */
  timeoutSeconds: number;
  /** The stored draw record (pool, counts, selections) against DynamoDB's 400 KB item limit. */
  drawItemBytes: number;
  /** The same record if client ids were 36-character UUIDs (entityIdSchema allows up to 40). */
  drawItemBytesWithUuidIds: number;
  /** Largest pool whose record stays under 400 KB with 36-character ids. */
  maxPoolWithUuidIds: number;
}

/**
 * The whole draw-screens job for Monday 06:00 local against DynamoDB Local: pool from the week's
 * sessions, the draw, one screen item and two schedules per selected client (notice at 08:00,
 * the end of quiet hours, and the deadline).
 */
export async function measureDrawJob(dataset: Dataset): Promise<{ result: DrawJobResult; selected: number }> {
  const sns = mockedSns();
  try {
    const counting = countingScheduler(dataset.system.scheduler);
    const at = localInstant(MONDAY, '06:00', dataset.program);
    const deps = depsAt(dataset, at, { sms: sns.sender, scheduler: counting.scheduler });
    const before = dataset.meter.snapshot();
    const t0 = performance.now();
    const outcome = (await runJob(drawScreensJob, deps, {
      programId: dataset.program.id,
      scheduledTime: at,
    })) as {
      selected: number;
    };
    const seconds = (performance.now() - t0) / 1000;
    const usage = usageSince(before, dataset.meter.snapshot());
    const draw = await deps.screening.getDraw(dataset.program.id, MONDAY);
    if (!draw) throw new Error('the draw was not stored');
    const item = { ...keys.draw(dataset.program.id, MONDAY), entity: 'draw', ...draw };
    const drawItemBytes = dynamoItemBytes(item);
    const uuidLike = (id: string) => `${id}-0000-4000-8000-000000000000`.slice(0, 36).padEnd(36, '0');
    const uuidItem = {
      ...item,
      pool: draw.pool.map(uuidLike),
      selectedThisWeek: Object.fromEntries(
        Object.entries(draw.selectedThisWeek).map(([k, v]) => [uuidLike(k), v]),
      ),
      remainingDrawDaysWithSession: Object.fromEntries(
        Object.entries(draw.remainingDrawDaysWithSession).map(([k, v]) => [uuidLike(k), v]),
      ),
      selections: draw.selections.map((s) => ({ ...s, clientId: uuidLike(s.clientId) })),
    };
    const drawItemBytesWithUuidIds = dynamoItemBytes(uuidItem);
    const perClient = drawItemBytesWithUuidIds / Math.max(1, draw.pool.length);
    return {
      result: {
        clients: dataset.clients,
        pool: draw.pool.length,
        selected: outcome.selected,
        seconds: round(seconds, 2),
        dynamoRequests: usage.requests,
        dynamoRequestsTotal: totalRequests(usage),
        readUnits: usage.readUnits,
        writeUnits: usage.writeUnits,
        schedulesCreated: counting.counts.created,
        dynamoSeconds: usage.dynamoSeconds,
        projectedAwsSeconds: round(
          projectToAws(seconds, usage, ASSUMPTIONS.dynamoCallMs) +
            (counting.counts.created * ASSUMPTIONS.createScheduleMs) /
              Math.max(1, counting.counts.maxInFlight) /
              1000,
          0,
        ),
        timeoutSeconds: functionSpec('draw-screens').timeoutSeconds,
        drawItemBytes,
        drawItemBytesWithUuidIds,
        maxPoolWithUuidIds: Math.floor(DYNAMO_ITEM_LIMIT_BYTES / perClient),
      },
      selected: outcome.selected,
    };
  } finally {
    sns.restore();
  }
}
