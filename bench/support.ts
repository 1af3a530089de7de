import { execFileSync } from 'node:child_process';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Client } from '../functions/domain/client.schema.ts';
import type { Clinician } from '../functions/domain/clinician.schema.ts';
import type { Program } from '../functions/domain/program.schema.ts';
import { localToUtc } from '../functions/domain/zoned-time.ts';
import type { JobScheduler } from '../functions/ports/job-scheduler.port.ts';
import type { Deps } from '../functions/use-cases/deps.ts';
import { STAGE_CONFIGS } from '../infra/config.ts';
import { FUNCTION_SPECS, type FunctionName } from '../infra/functions.ts';
import type { LocalSystem } from '../local/adapters/local-deps.ts';
import { localSystem } from '../local/adapters/local-deps.ts';
import { VirtualClock } from '../local/adapters/virtual-clock.ts';
import { countRequests } from '../tests/support/deps.ts';
import { aClient, aClinician, aProgram } from '../tests/support/fixtures.ts';

export const median = (values: number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/** Runs `work` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function pool<T, R>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// DynamoDB requests and consumed capacity
// ---------------------------------------------------------------------------------------------

/** Operation names as the middleware sees them, without a trailing "Command". */
const READ_OPERATIONS = new Set(['GetItem', 'Get', 'Query', 'BatchGetItem', 'BatchGet', 'TransactGetItems']);
const operationName = (commandName: unknown) => String(commandName).replace(/Command$/, '');

export interface DynamoUsage {
  /** Requests by command name (GetCommand, QueryCommand, BatchWriteCommand, …). */
  requests: Record<string, number>;
  /** Read request units as DynamoDB Local reports them (strongly consistent reads: 1 per 4 KB). */
  readUnits: number;
  /** Write request units incl. both GSIs (ALL projection); a TransactWrite is reported at 2×. */
  writeUnits: number;
  /** Time inside DynamoDB calls, each call counted (parallel calls overlap). */
  dynamoSeconds: number;
  /** Wall time with at least one DynamoDB call in flight. */
  dynamoWallSeconds: number;
}

/**
 * Counts every command the document client sends (tests/support/deps.ts countRequests) and asks
 * DynamoDB Local for the capacity each one consumed (ReturnConsumedCapacity: TOTAL, which includes
 * index writes). Take a snapshot before and after a phase and diff them.
 */
export function meterDynamo(doc: DynamoDBDocumentClient) {
  const requests = countRequests(doc);
  const units = { read: 0, write: 0, ms: 0, wallMs: 0 };
  let inFlight = 0;
  let busySince = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const t0 = performance.now();
      if (inFlight++ === 0) busySince = t0;
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } finally {
        const t1 = performance.now();
        units.ms += t1 - t0;
        if (--inFlight === 0) units.wallMs += t1 - busySince;
      }
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
        CapacityUnits?: number;
      }[];
      const total = sum(list.map((c) => c.CapacityUnits ?? 0));
      const name = operationName(context.commandName);
      // DynamoDB Local already reports a TransactWriteItems at 2 WRU per KB, as DynamoDB bills it.
      if (READ_OPERATIONS.has(name)) units.read += total;
      else units.write += total;
      return result;
    },
    { step: 'initialize', name: 'bench-consumed-capacity' },
  );
  const snapshot = (): DynamoUsage => ({
    requests: { ...requests },
    readUnits: units.read,
    writeUnits: units.write,
    dynamoSeconds: units.ms / 1000,
    dynamoWallSeconds: units.wallMs / 1000,
  });
  return { snapshot };
}

export function usageSince(before: DynamoUsage, after: DynamoUsage): DynamoUsage {
  const requests: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.requests)) {
    const delta = count - (before.requests[name] ?? 0);
    if (delta > 0) requests[operationName(name)] = delta;
  }
  return {
    requests,
    readUnits: round(after.readUnits - before.readUnits, 1),
    writeUnits: round(after.writeUnits - before.writeUnits, 1),
    dynamoSeconds: round(after.dynamoSeconds - before.dynamoSeconds, 2),
    dynamoWallSeconds: round(after.dynamoWallSeconds - before.dynamoWallSeconds, 2),
  };
}

/**
 * The phase's time against real DynamoDB: the CPU share (time with no call in flight) as measured,
 * the DynamoDB share scaled from DynamoDB Local's mean call latency to `awsCallMs`.
 */
export function projectToAws(seconds: number, usage: DynamoUsage, awsCallMs: number): number {
  const calls = totalRequests(usage);
  if (calls === 0 || usage.dynamoSeconds === 0) return seconds;
  const localCallMs = (usage.dynamoSeconds * 1000) / calls;
  const cpu = Math.max(0, seconds - usage.dynamoWallSeconds);
  return cpu + usage.dynamoWallSeconds * Math.max(1, awsCallMs / localCallMs);
}

export const totalRequests = (usage: DynamoUsage) => sum(Object.values(usage.requests));

export const perOperation = (usage: DynamoUsage, n: number) => ({
  requests: Object.fromEntries(Object.entries(usage.requests).map(([k, v]) => [k, round(v / n, 2)])),
  total: round(totalRequests(usage) / n, 2),
  readUnits: round(usage.readUnits / n, 2),
  writeUnits: round(usage.writeUnits / n, 2),
});

// ---------------------------------------------------------------------------------------------
// The benchmark program and its roster
// ---------------------------------------------------------------------------------------------

export const PROGRAM_ID = 'bench';
export const CLIENTS_PER_CLINICIAN = 25;
/** The week generated: Mon 2027-01-11 … Sun 2027-01-17, America/New_York. */
export const WEEK = '2027-W02';
export const MONDAY = '2027-01-11';
/** Friday noon before the week, as the weekly schedule would fire (any time before the week works). */
export const GENERATED_AT = '2027-01-08T17:00:00.000Z';

export function benchProgram(): Program {
  return aProgram({
    id: PROGRAM_ID,
    name: 'Sunrise',
    // Morning MON/WED/FRI 09:00 and evening MON/TUE/THU 18:00, 3 h each; 1 individual hour a week.
    // Default reminders (24 h and 2 h before), 20-minute grace, quiet hours 21:00-08:00.
    drugScreens: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'] },
  });
}

export function benchClinicians(clients: number): Clinician[] {
  const n = Math.ceil(clients / CLIENTS_PER_CLINICIAN);
  return Array.from({ length: n }, (_, i) => aClinician(`dr-${String(i).padStart(4, '0')}`));
}

/** Half morning, half evening; every 25 share a clinician (Mon-Fri 10:00-16:00 availability). */
export function benchClients(clients: number): Client[] {
  return Array.from({ length: clients }, (_, i) =>
    aClient({
      id: `cl-${String(i).padStart(5, '0')}`,
      phone: `+1202${String(5_000_000 + i).padStart(7, '0')}`,
      track: i % 2 === 0 ? 'morning' : 'evening',
      clinicianId: `dr-${String(Math.floor(i / CLIENTS_PER_CLINICIAN)).padStart(4, '0')}`,
      // Enrolled the Monday of the week: no earlier history, so a first miss raises no gap flag.
      start: MONDAY,
      smsConsent: true,
      consent: { givenAt: '2027-01-04T15:00:00Z', method: 'written' },
    }),
  );
}

export interface Dataset {
  clients: number;
  tableName: string;
  doc: DynamoDBDocumentClient;
  system: LocalSystem;
  meter: ReturnType<typeof meterDynamo>;
  program: Program;
}

/** Writes the program, its clinicians and clients through the repositories (not measured). */
export async function seedDataset(
  doc: DynamoDBDocumentClient,
  tableName: string,
  clients: number,
): Promise<Dataset> {
  const meter = meterDynamo(doc);
  const system = localSystem({ doc, tableName, now: GENERATED_AT });
  const program = benchProgram();
  await system.deps.programs.putProgram(program);
  await pool(benchClinicians(clients), 16, (c) => system.deps.programs.putClinician(program.id, c));
  await pool(benchClients(clients), 32, (c) => system.deps.clients.createClient(program.id, c));
  return { clients, tableName, doc, system, meter, program };
}

/** The dataset's deps with their own clock (use cases read time only from deps.clock). */
export function depsAt(dataset: Dataset, instant: string, overrides: Partial<Deps> = {}): Deps {
  return { ...dataset.system.deps, clock: new VirtualClock(instant), ...overrides };
}

/**
 * Counts scheduleOnce calls (each is one CreateSchedule, or an Update on a name clash, in AWS) and
 * the most calls in flight at once: the use case's schedule-creation concurrency, as coded. Each
 * call takes 1 ms here, so that concurrent calls overlap as they do against AWS.
 */
export function countingScheduler(inner: JobScheduler) {
  const counts = { created: 0, cancelled: 0, maxInFlight: 0 };
  let inFlight = 0;
  const scheduler: JobScheduler = {
    scheduleOnce: async (job) => {
      counts.created++;
      counts.maxInFlight = Math.max(counts.maxInFlight, ++inFlight);
      try {
        // The in-process scheduler answers at once, so calls made in parallel would never overlap
        // and the use case's concurrency would read as 1; a millisecond's latency makes it visible.
        await new Promise((resolve) => setTimeout(resolve, 1));
        await inner.scheduleOnce(job);
      } finally {
        inFlight--;
      }
    },
    scheduleRecurring: (job) => inner.scheduleRecurring(job),
    cancel: async (names) => {
      counts.cancelled += names.length;
      await inner.cancel(names);
    },
  };
  return { scheduler, counts };
}

/** A function's deployed settings (infra/functions.ts, and prod's reservedConcurrency in infra/config.ts). */
export function functionSpec(name: FunctionName) {
  const spec = FUNCTION_SPECS.find((s) => s.name === name);
  if (!spec) throw new Error(`FUNCTION_SPECS has no ${name}`);
  return {
    timeoutSeconds: spec.timeout?.toSeconds() ?? 30,
    memoryMb: spec.memorySize ?? 512,
    reservedConcurrency: STAGE_CONFIGS.prod.reservedConcurrency?.[name],
  };
}

export const localInstant = (date: string, time: string, program: Program) =>
  localToUtc(date, time, program.timezone);

// ---------------------------------------------------------------------------------------------
// Processes: never leave a DynamoDB Local behind
// ---------------------------------------------------------------------------------------------

/** PIDs of running DynamoDB Local JVMs (to check that the bench stopped the one it started). */
export function dynamoLocalPids(): number[] {
  try {
    return execFileSync('pgrep', ['-f', 'DynamoDBLocal.jar'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
