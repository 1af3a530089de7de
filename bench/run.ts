/**
 * `npm run bench`: measures Cadence at 1,000 and 10,000 clients against DynamoDB Local, the Lambda
 * bundles, and a cost model; prints a table and writes bench/results.json. Not part of `npm test`.
 *
 *   npm run bench                      # 1,000 and 10,000 clients (a few minutes)
 *   npm run bench -- --sizes=1000      # quicker: the per-operation numbers only
 *   npm run bench -- --skip-bundles
 *
 * docs/benchmarks.md explains the method and what limits each number.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys, withoutKeys } from '../functions/adapters/dynamodb/keys.ts';
import { keyOf } from '../functions/adapters/dynamodb/send-ledger.repository.ts';
import { reminderMessageKey } from '../functions/domain/reminders.ts';
import { sessionSchema } from '../functions/domain/session.schema.ts';
import type { OneTimeJob } from '../functions/ports/job-scheduler.port.ts';
import {
  createTable,
  type DynamoLocal,
  documentClient,
  rawClient,
  startDynamoLocal,
} from '../local/adapters/dynamo-local.ts';
import { BUNDLE_LIMIT_BYTES, type BundlesReport, IMPORT_LIMIT_MS, measureBundles } from './bundles.ts';
import { awsMilliseconds, type CostInputs, costModel } from './cost.ts';
import { type DrawJobResult, dynamoItemBytes, measureDrawJob, measurePureDraw } from './draw.ts';
import { type GenerationResult, generationSeconds, measureGeneration } from './generation.ts';
import { FIRE_TOLERANCE_MINUTES, type PeakResult, peakLoad } from './peak.ts';
import { ASSUMPTIONS, PRICES } from './prices.ts';
import {
  type AttendancePathResult,
  measureAttendancePath,
  measureSendPath,
  type SendPathResult,
} from './reminders.ts';
import {
  type Dataset,
  dynamoLocalPids,
  localInstant,
  MONDAY,
  median,
  PROGRAM_ID,
  progress,
  round,
  seedDataset,
} from './support.ts';
import { measureSweep, type SweepResult } from './sweep.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench/results.json');

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}`))?.split('=')[1];
const sizes = (arg('sizes') ?? '1000,10000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const skipBundles = process.argv.includes('--skip-bundles');

const isSms = (job: OneTimeJob) =>
  job.target === 'send-reminder' || (job.target === 'check-screen' && job.payload.phase === 'notice');

interface SizeRun {
  generation: GenerationResult;
  seedSeconds: number;
  peak: PeakResult;
  peakWithScreenNotices: PeakResult;
  drawJob: DrawJobResult;
  sweep: SweepResult;
  send?: SendPathResult;
  attendance?: AttendancePathResult;
  storage?: { sessionItemBytes: number; sendItemBytes: number };
}

/** Stored bytes of one item and its two ALL-projected index copies (100 bytes of overhead each). */
async function storedBytes(dataset: Dataset, sentJob: OneTimeJob) {
  const job = sentJob;
  const sessionId = String(job.payload.sessionId);
  const get = async (pk: string, sk: string) =>
    (await dataset.doc.send(new GetCommand({ TableName: dataset.tableName, Key: { pk, sk } }))).Item;
  const session = await get(keys.session(PROGRAM_ID, sessionId).pk, 'SESSION');
  const ledger = session
    ? keyOf(reminderMessageKey(sessionSchema.parse(withoutKeys(session)), Number(job.payload.offsetMinutes)))
    : undefined;
  const send = ledger ? await get(ledger.pk, ledger.sk) : undefined;
  if (!session || !send) throw new Error(`no stored session or ledger item for ${sessionId}`);
  return {
    sessionItemBytes: 3 * (dynamoItemBytes(session) + 100),
    sendItemBytes: dynamoItemBytes(send) + 100,
  };
}

async function repeatGeneration(dynamo: DynamoLocal, clients: number): Promise<number> {
  const tableName = `bench-${clients}-repeat-${Date.now()}`;
  await createTable(dynamo.endpoint, tableName);
  const doc = documentClient(dynamo.endpoint);
  try {
    return await generationSeconds(await seedDataset(doc, tableName, clients));
  } finally {
    doc.destroy();
    const raw = rawClient(dynamo.endpoint);
    await raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    raw.destroy();
  }
}

async function runSize(dynamo: DynamoLocal, clients: number, detailed: boolean): Promise<SizeRun> {
  const tableName = `bench-${clients}-${Date.now()}`;
  await createTable(dynamo.endpoint, tableName);
  const doc = documentClient(dynamo.endpoint);
  try {
    progress(`${clients} clients: seeding`);
    const s0 = performance.now();
    const dataset = await seedDataset(doc, tableName, clients);
    const seedSeconds = round((performance.now() - s0) / 1000, 1);

    progress(`${clients} clients: generate-week`);
    const { result: generation, jobs } = await measureGeneration(dataset);
    progress(`${clients} clients: generated in ${generation.seconds} s`);
    if (detailed) {
      // Cheap at this size: two more runs, each on a fresh table, and the median of the three.
      for (let i = 0; i < 2; i++) generation.runs.push(await repeatGeneration(dynamo, clients));
      generation.seconds = median(generation.runs);
    }
    const peak = peakLoad(jobs, (j) => j.target === 'send-reminder');

    let send: SendPathResult | undefined;
    let attendance: AttendancePathResult | undefined;
    let storage: SizeRun['storage'];
    if (detailed) {
      progress(`${clients} clients: send-reminder path`);
      const minute = peak.peakMinute.slice(0, 16);
      const minuteJobs = jobs.filter((j) => j.target === 'send-reminder' && j.at.startsWith(minute));
      send = await measureSendPath(dataset, minuteJobs);
      progress(`${clients} clients: attendance path`);
      const checkAt = localInstant(MONDAY, '09:20', dataset.program);
      const attendanceJobs = jobs
        .filter((j) => j.target === 'check-attendance' && j.at === checkAt)
        .slice(0, 200);
      attendance = await measureAttendancePath(dataset, attendanceJobs, ASSUMPTIONS.attendanceRate);
      storage = await storedBytes(dataset, minuteJobs[0]!);
    }

    progress(`${clients} clients: draw-screens job`);
    const { result: drawJob } = await measureDrawJob(dataset);
    const peakWithScreenNotices = peakLoad(dataset.system.scheduler.pending(), isSms);

    progress(`${clients} clients: sweep-engagement job`);
    const sweep = await measureSweep(dataset);
    return {
      generation,
      seedSeconds,
      peak,
      peakWithScreenNotices,
      drawJob,
      sweep,
      ...(send ? { send } : {}),
      ...(attendance ? { attendance } : {}),
      ...(storage ? { storage } : {}),
    };
  } finally {
    doc.destroy();
    const raw = rawClient(dynamo.endpoint);
    await raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    raw.destroy();
  }
}

/** Every source file that mentions a DynamoDB Scan (the target: none). */
async function findScans(): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) await walk(path);
      } else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) {
        const text = await readFile(path, 'utf8');
        if (/\bScan(Command|Input|Paginator)\b|paginateScan|\.scan\(/.test(text))
          hits.push(relative(ROOT, path));
      }
    }
  };
  for (const dir of ['functions', 'local', 'infra']) await walk(join(ROOT, dir));
  return hits;
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';

function printTable(title: string, header: string[], rows: (string | number)[][]) {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

async function main() {
  const started = performance.now();
  const pidsBefore = new Set(dynamoLocalPids());
  progress(`sizes ${sizes.join(', ')}; starting DynamoDB Local`);
  const dynamo = await startDynamoLocal();
  const ownPids = dynamoLocalPids().filter((pid) => !pidsBefore.has(pid));
  const stopOnSignal = () => {
    void dynamo.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  const runs = new Map<number, SizeRun>();
  try {
    for (const [i, clients] of sizes.entries()) runs.set(clients, await runSize(dynamo, clients, i === 0));
  } finally {
    await dynamo.stop();
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
  }
  const leftover = dynamoLocalPids().filter((pid) => ownPids.includes(pid));
  if (leftover.length)
    console.warn(`[bench] warning: DynamoDB Local ${leftover.join(', ')} may still be running`);

  progress('pure draw');
  const draw = measurePureDraw(10_000);
  let bundles: BundlesReport | undefined;
  if (!skipBundles) bundles = await measureBundles();
  const scans = await findScans();

  const small = runs.get(sizes[0]!)!;
  const large = runs.get(sizes[sizes.length - 1]!)!;
  const send = small.send!;
  const att = small.attendance!;
  const snsPerMissed = att.checkMissed.smsPerCheck * 2 + att.checkMissed.alertsPerCheck;
  const op = (
    o: { total: number; readUnits: number; writeUnits: number },
    localMs: number,
    snsCalls: number,
  ) => ({
    awsMs: awsMilliseconds(localMs, o.total, snsCalls),
    readUnits: o.readUnits,
    writeUnits: o.writeUnits,
  });
  const costInputs: CostInputs = {
    clients: small.generation.clients,
    generation: {
      awsSeconds: small.generation.projectedAwsSecondsTotal,
      readUnits: small.generation.readUnits,
      writeUnits: small.generation.writeUnits,
      sessions: small.generation.sessions,
      schedulesByTarget: small.generation.schedulesByTarget,
    },
    send: op(send.dynamoPerSms, send.latencyMs.median, send.snsCallsPerSms),
    checkIn: op(att.checkIn, att.checkIn.medianMs, 0),
    checkAttended: op(att.checkAttended, att.checkAttended.medianMs, 0),
    checkMissed: {
      ...op(att.checkMissed, att.checkMissed.medianMs, snsPerMissed),
      sms: att.checkMissed.smsPerCheck,
      alerts: att.checkMissed.alertsPerCheck,
    },
    draw: {
      awsMs: small.drawJob.projectedAwsSeconds * 1000,
      readUnits: small.drawJob.readUnits,
      writeUnits: small.drawJob.writeUnits,
      selected: small.drawJob.selected,
      schedulesCreated: small.drawJob.schedulesCreated,
    },
    sweep: {
      awsMs: small.sweep.projectedAwsSeconds * 1000,
      readUnits: small.sweep.readUnits,
      writeUnits: small.sweep.writeUnits,
    },
    storage: small.storage!,
  };
  const cost = costModel(costInputs);

  const generation = [...runs.values()].map((r) => ({
    ...r.generation,
    seedSeconds: r.seedSeconds,
  }));
  const targets = [
    ...generation.map((g) => ({
      target: `write requests ≤ 1.05 × minimum (${fmt(g.clients)} clients)`,
      value: g.writeRatio,
      limit: 1.05,
      pass: g.writeRequests <= 1.05 * g.minimumWriteRequests,
    })),
    {
      target: 'no Scan in functions/, local/, infra/',
      value: scans.length,
      limit: 0,
      pass: scans.length === 0,
    },
    ...(bundles?.bundles ?? []).flatMap((b) => [
      {
        target: `bundle ${b.name} ≤ ${BUNDLE_LIMIT_BYTES / 1024} KB`,
        value: b.bytes,
        limit: BUNDLE_LIMIT_BYTES,
        pass: b.bytes <= BUNDLE_LIMIT_BYTES,
      },
      {
        target: `bundle ${b.name} import ≤ 150 ms`,
        value: b.importMs,
        limit: IMPORT_LIMIT_MS,
        pass: b.importMs <= IMPORT_LIMIT_MS,
      },
    ]),
    {
      target: 'infrastructure ≤ $1 per 1,000 clients per month',
      value: cost.infrastructure,
      limit: 1,
      pass: cost.infrastructure <= 1,
    },
  ];

  const sized = [...runs.values()];
  const checks = [
    ...sized.map((r) => ({
      check: `generate-week within its ${r.generation.timeoutSeconds} s timeout in AWS (${fmt(r.generation.clients)} clients)`,
      value: r.generation.projectedAwsSeconds,
      limit: r.generation.timeoutSeconds,
      pass: r.generation.fitsLambdaTimeout,
    })),
    ...sized.map((r) => ({
      check: `draw-screens within its ${r.drawJob.timeoutSeconds} s timeout in AWS (${fmt(r.drawJob.clients)} clients)`,
      value: r.drawJob.projectedAwsSeconds,
      limit: r.drawJob.timeoutSeconds,
      pass: r.drawJob.projectedAwsSeconds <= r.drawJob.timeoutSeconds,
    })),
    ...sized.map((r) => ({
      check: `sweep-engagement within its ${r.sweep.timeoutSeconds} s timeout in AWS (${fmt(r.sweep.clients)} clients)`,
      value: r.sweep.projectedAwsSeconds,
      limit: r.sweep.timeoutSeconds,
      pass: r.sweep.fitsLambdaTimeout,
    })),
    {
      check: `draw record < 400 KB with 36-character client ids (${fmt(large.drawJob.clients)} clients)`,
      value: large.drawJob.drawItemBytesWithUuidIds,
      limit: 400 * 1024,
      pass: large.drawJob.drawItemBytesWithUuidIds < 400 * 1024,
    },
    ...large.peakWithScreenNotices.atRates.map((r) => ({
      check: `peak minute sent within ${FIRE_TOLERANCE_MINUTES} min at ${r.rate} msg/s (${r.identity})`,
      value: r.lastMessageLateMinutes,
      limit: FIRE_TOLERANCE_MINUTES,
      pass: r.beyondTolerance === 0,
    })),
  ];

  const results = {
    meta: {
      recordedAt: new Date().toISOString(),
      node: process.versions.node,
      cpu: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      memoryGb: round(totalmem() / 1024 ** 3, 0),
      dynamo: 'DynamoDB Local (in-memory, one JVM on this machine)',
      totalSeconds: 0,
      pricesRecorded: PRICES.recorded,
      assumptions: ASSUMPTIONS,
    },
    generation,
    reminders: {
      sendsPerSecond: send.sendsPerSecond,
      dynamoRequestsPerSms: send.dynamoRequestsPerSms,
      peakPerMinute: large.peak.peakPerMinute,
      peakClients: large.generation.clients,
      peakPerMinuteWithScreenNotices: large.peakWithScreenNotices.peakPerMinute,
      sendPath: send,
      attendance: att,
      peak: large.peak,
      peakWithScreenNotices: large.peakWithScreenNotices,
    },
    draw: { ...draw, job: [...runs.values()].map((r) => r.drawJob) },
    sweep: [...runs.values()].map((r) => r.sweep),
    bundles: bundles?.bundles ?? [],
    bundling: bundles
      ? {
          ...bundles.bundling,
          baselineProcessMs: bundles.baselineProcessMs,
          whatIfImport: bundles.whatIfImport,
        }
      : null,
    costPer1000ClientsMonthUSD: {
      infrastructure: cost.infrastructure,
      sms: cost.sms,
      model: cost,
      inputs: costInputs,
    },
    scans,
    targets,
    checks,
  };
  results.meta.totalSeconds = round((performance.now() - started) / 1000, 0);
  // `npm run bench:scale` writes `scale` into the same file: kept until it runs again.
  const previous = JSON.parse(await readFile(RESULTS, 'utf8').catch(() => '{}')) as { scale?: unknown };
  await writeFile(
    RESULTS,
    `${JSON.stringify({ ...results, ...(previous.scale ? { scale: previous.scale } : {}) }, null, 2)}\n`,
  );

  // ------------------------------------------------------------------------------------------
  printTable(
    'Weekly generation (generate-week job, DynamoDB Local)',
    [
      'clients',
      'seconds',
      'in DynamoDB s',
      'planWeek s',
      'sessions',
      'BatchWrite',
      'minimum',
      'ratio',
      'other requests',
      'schedules',
      'distinct minutes',
      'in flight',
      'AWS s (proj.)',
    ],
    generation.map((g) => [
      fmt(g.clients),
      fmt(g.seconds, 1),
      fmt(g.dynamoSeconds, 1),
      fmt(g.planWeekSeconds, 1),
      fmt(g.sessions),
      fmt(g.writeRequests),
      fmt(g.minimumWriteRequests),
      fmt(g.writeRatio, 3),
      Object.entries(g.dynamoRequests)
        .filter(([k]) => k !== 'BatchWriteItem')
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      fmt(g.schedulesCreated),
      fmt(g.distinctScheduleMinutes),
      fmt(g.scheduleConcurrency),
      fmt(g.projectedAwsSeconds),
    ]),
  );
  printTable(
    `Reminder path (send-reminder job, SNS mocked, ${fmt(small.generation.clients)}-client table)`,
    ['measure', 'value'],
    [
      ['sends/s, one at a time', fmt(send.sendsPerSecond)],
      [`sends/s, ${send.concurrency} in flight`, fmt(send.sendsPerSecondConcurrent)],
      ['latency median / p95 ms', `${fmt(send.latencyMs.median, 1)} / ${fmt(send.latencyMs.p95, 1)}`],
      [
        'DynamoDB requests per SMS',
        `${fmt(send.dynamoRequestsPerSms, 2)} (${Object.entries(send.dynamoPerSms.requests)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`,
      ],
      [
        'RRU / WRU per SMS',
        `${fmt(send.dynamoPerSms.readUnits, 1)} / ${fmt(send.dynamoPerSms.writeUnits, 1)}`,
      ],
      ['SNS calls per SMS', fmt(send.snsCallsPerSms, 2)],
      ['duplicate delivery: requests', fmt(send.duplicate.total, 2)],
    ],
  );
  printTable(
    `Peak SMS load (${fmt(large.generation.clients)} clients)`,
    [
      'rate msg/s',
      'identity',
      'peak min',
      'seconds to send',
      'last late min',
      `beyond ${FIRE_TOLERANCE_MINUTES} min`,
      'spread needed min',
    ],
    [large.peak, large.peakWithScreenNotices].flatMap((p, i) =>
      p.atRates.map((r) => [
        fmt(r.rate),
        `${r.identity}${i ? ' +screen notices' : ''}`,
        fmt(p.peakPerMinute),
        fmt(r.seconds),
        fmt(r.lastMessageLateMinutes, 1),
        fmt(r.beyondTolerance),
        fmt(r.spreadMinutesNeeded),
      ]),
    ),
  );
  printTable(
    'Draw and daily jobs',
    ['measure', ...[...runs.keys()].map((c) => `${fmt(c)} clients`)],
    [
      [
        'drawScreens (pure) median ms, 10,000 ids',
        fmt(draw.milliseconds, 2),
        ...[...runs.keys()].slice(1).map(() => ''),
      ],
      ['draw-screens job seconds', ...[...runs.values()].map((r) => fmt(r.drawJob.seconds, 1))],
      ['draw-screens in DynamoDB s', ...[...runs.values()].map((r) => fmt(r.drawJob.dynamoSeconds, 1))],
      ['draw-screens requests', ...[...runs.values()].map((r) => fmt(r.drawJob.dynamoRequestsTotal))],
      ['draw-screens schedules', ...[...runs.values()].map((r) => fmt(r.drawJob.schedulesCreated))],
      [
        'draw-screens AWS s (proj.) / timeout',
        ...[...runs.values()].map(
          (r) => `${fmt(r.drawJob.projectedAwsSeconds)} / ${r.drawJob.timeoutSeconds}`,
        ),
      ],
      [
        'draw item bytes (36-char ids)',
        ...[...runs.values()].map(
          (r) => `${fmt(r.drawJob.drawItemBytes)} (${fmt(r.drawJob.drawItemBytesWithUuidIds)})`,
        ),
      ],
      ['sweep-engagement seconds', ...[...runs.values()].map((r) => fmt(r.sweep.seconds, 1))],
      ['sweep in DynamoDB s', ...[...runs.values()].map((r) => fmt(r.sweep.dynamoSeconds, 1))],
      ['sweep requests / client', ...[...runs.values()].map((r) => fmt(r.sweep.requestsPerClient, 1))],
      ['sweep AWS s (proj.)', ...[...runs.values()].map((r) => fmt(r.sweep.projectedAwsSeconds))],
    ],
  );
  if (bundles) {
    // The what-if columns only say something while the source or the bundling differs from them.
    const differs = (x: number, y: number) => Math.abs(x - y) > 0.01 * y;
    const showWhatIf = bundles.bundles.some(
      (b) =>
        differs(b.whatIf.zodNamespaceImportBytes, b.bytes) ||
        differs(b.whatIf.zodNamespaceImportAndSdkExternalBytes, b.bytes),
    );
    printTable(
      `Bundles (esbuild as CadenceFunction, Node ${bundles.nodeVersion}, median of 10 processes)`,
      [
        'function',
        'KB',
        'import ms',
        'no maps ms',
        'process ms',
        'largest',
        ...(showWhatIf ? ['KB zod *', 'KB zod * + sdk ext'] : []),
      ],
      bundles.bundles.map((b) => [
        b.name,
        fmt(b.bytes / 1024),
        fmt(b.importMs, 0),
        fmt(b.importMsWithoutSourceMaps, 0),
        fmt(b.processMs, 0),
        b.largestPackages
          .slice(0, 3)
          .map((p) => `${p.name} ${fmt(p.bytes / 1024)}`)
          .join(', '),
        ...(showWhatIf
          ? [
              fmt(b.whatIf.zodNamespaceImportBytes / 1024),
              fmt(b.whatIf.zodNamespaceImportAndSdkExternalBytes / 1024),
            ]
          : []),
      ]),
    );
    const w = bundles.whatIfImport;
    if (showWhatIf)
      console.log(
        `what-if import, ${w.name}: as is ${fmt(w.asIs)} ms; zod namespace import ${fmt(w.zodNamespaceImport)} ms; ` +
          `and @aws-sdk external (loaded from node_modules) ${fmt(w.zodNamespaceImportAndSdkExternal)} ms`,
      );
  }
  printTable(
    'Cost per 1,000 clients per month (USD, us-east-1 list prices, no free tier)',
    ['item', 'quantity', 'unit', 'USD'],
    [
      ...cost.lines.map((l) => [
        l.item,
        fmt(l.quantityPerMonth, l.quantityPerMonth < 10 ? 3 : 0),
        l.unit,
        fmt(l.usd, 4),
      ]),
      ['infrastructure total', '', '', fmt(cost.infrastructure, 3)],
      [`SMS (${fmt(cost.smsPerMonth)} × $${cost.smsPricePerMessage})`, '', '', fmt(cost.sms, 2)],
    ],
  );
  printTable(
    'Targets',
    ['target', 'value', 'limit', 'result'],
    targets.map((t) => [
      t.target,
      fmt(t.value, t.value < 10 ? 3 : 0),
      fmt(t.limit, t.limit < 10 ? 2 : 0),
      t.pass ? 'PASS' : 'FAIL',
    ]),
  );
  printTable(
    'Scale checks (not issue targets; AWS times projected, see docs/benchmarks.md)',
    ['check', 'value', 'limit', 'result'],
    checks.map((c) => [c.check, fmt(c.value, c.value < 100 ? 1 : 0), fmt(c.limit), c.pass ? 'ok' : 'FAIL']),
  );
  console.log(`\nWrote ${relative(ROOT, RESULTS)} in ${results.meta.totalSeconds} s.`);
}

await main();
