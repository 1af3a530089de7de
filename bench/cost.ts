import type { FunctionName } from '../infra/functions.ts';
import { ASSUMPTIONS, PRICES, smsPricePerMessage } from './prices.ts';
import { functionSpec, round } from './support.ts';

/** Per-operation numbers measured on one dataset (bench/run.ts fills this from the 1,000-client run). */
export interface CostInputs {
  clients: number;
  generation: {
    /** Local time plus the sequential CreateSchedule calls (see GenerationResult.projectedAwsSeconds). */
    awsSeconds: number;
    readUnits: number;
    writeUnits: number;
    sessions: number;
    schedulesByTarget: Record<string, number>;
  };
  /** Per operation: modelled AWS milliseconds, DynamoDB units, SNS calls. */
  send: Op;
  checkIn: Op;
  checkAttended: Op;
  checkMissed: Op & { sms: number; alerts: number };
  draw: Op & { selected: number; schedulesCreated: number };
  sweep: Op;
  storage: { sessionItemBytes: number; sendItemBytes: number };
}

export interface Op {
  awsMs: number;
  readUnits: number;
  writeUnits: number;
}

export interface CostLine {
  item: string;
  quantityPerMonth: number;
  unit: string;
  unitPriceUSD: number;
  usd: number;
}

export interface CostModel {
  perClients: 1000;
  lines: CostLine[];
  infrastructure: number;
  sms: number;
  smsPerMonth: number;
  smsPricePerMessage: number;
  /** Monthly totals of the counted work behind the lines. */
  counts: Record<string, number>;
}

/**
 * Milliseconds one invocation would take in AWS: the measured time against DynamoDB Local, or the
 * DynamoDB calls at a real in-Region latency if that is longer, plus the mocked SNS calls' latency.
 */
export function awsMilliseconds(localMs: number, dynamoRequests: number, snsCalls: number): number {
  return Math.max(localMs, dynamoRequests * ASSUMPTIONS.dynamoCallMs) + snsCalls * ASSUMPTIONS.snsCallMs;
}

export function costModel(input: CostInputs): CostModel {
  const scale = 1000 / input.clients;
  const month = ASSUMPTIONS.weeksPerMonth;
  const byTarget = input.generation.schedulesByTarget;
  const perMonth = (perWeek: number) => perWeek * scale * month;

  const reminders = perMonth(byTarget['send-reminder'] ?? 0);
  const attendanceChecks = perMonth(byTarget['check-attendance'] ?? 0);
  const attended = attendanceChecks * ASSUMPTIONS.attendanceRate;
  const missed = attendanceChecks - attended;
  const drawDays = 5;
  const draws = drawDays * scale * month;
  const screenJobs = input.draw.schedulesCreated * draws;
  const screenNotices = input.draw.selected * draws;
  const sweeps = 7 * scale * month;
  const generations = scale * month;
  const recurringInvocations = generations + draws + sweeps;

  // check-screen (notice and deadline) is not run by the bench: priced like a reminder send.
  const ops: { name: string; fn: FunctionName; count: number; op: Op }[] = [
    {
      name: 'generate-week',
      fn: 'generate-week',
      count: generations,
      op: { ...input.generation, awsMs: input.generation.awsSeconds * 1000 },
    },
    { name: 'send-reminder', fn: 'send-reminder', count: reminders, op: input.send },
    { name: 'check-attendance (attended)', fn: 'check-attendance', count: attended, op: input.checkAttended },
    { name: 'check-attendance (missed)', fn: 'check-attendance', count: missed, op: input.checkMissed },
    { name: 'api check-in', fn: 'api', count: attended, op: input.checkIn },
    { name: 'draw-screens', fn: 'draw-screens', count: draws, op: input.draw },
    { name: 'check-screen (as a send)', fn: 'check-screen', count: screenJobs, op: input.send },
    { name: 'sweep-engagement', fn: 'sweep-engagement', count: sweeps, op: input.sweep },
  ];
  const invocations = ops.reduce((n, o) => n + o.count, 0);
  const gbSeconds = ops.reduce(
    (n, o) => n + o.count * (Math.ceil(o.op.awsMs) / 1000) * (functionSpec(o.fn).memoryMb / 1024),
    0,
  );
  const readUnits = ops.reduce((n, o) => n + o.count * o.op.readUnits, 0);
  const writeUnits = ops.reduce((n, o) => n + o.count * o.op.writeUnits, 0);
  const schedulerInvocations = reminders + attendanceChecks + screenJobs + recurringInvocations;
  const schedulesCreated =
    perMonth((byTarget['send-reminder'] ?? 0) + (byTarget['check-attendance'] ?? 0)) + screenJobs;
  const alerts = missed * input.checkMissed.alerts;
  const storedGb =
    ((perMonth(input.generation.sessions) * input.storage.sessionItemBytes +
      (reminders + screenNotices + missed) * input.storage.sendItemBytes) *
      ASSUMPTIONS.retentionMonths) /
    1024 ** 3;
  const logGb =
    (invocations *
      (ASSUMPTIONS.platformLogBytesPerInvocation + 2 * (ASSUMPTIONS.powertoolsEnvelopeBytes + 150)) +
      perMonth(input.generation.sessions) * (ASSUMPTIONS.powertoolsEnvelopeBytes + 150)) /
    1024 ** 3;

  const line = (item: string, quantityPerMonth: number, unit: string, unitPriceUSD: number, per: number) => ({
    item,
    quantityPerMonth: round(quantityPerMonth, quantityPerMonth < 10 ? 3 : 1),
    unit,
    unitPriceUSD,
    usd: round((quantityPerMonth / per) * unitPriceUSD, 4),
  });
  const lines: CostLine[] = [
    line('Lambda requests', invocations, '1M requests', PRICES.lambda.perMillionRequests, 1e6),
    line(
      'Lambda duration (arm64, memory per FUNCTION_SPECS)',
      gbSeconds,
      'GB-s',
      PRICES.lambda.perGbSecondArm64,
      1,
    ),
    line(
      'DynamoDB writes (on-demand)',
      writeUnits,
      '1M WRU',
      PRICES.dynamodb.perMillionWriteRequestUnits,
      1e6,
    ),
    line('DynamoDB reads (on-demand)', readUnits, '1M RRU', PRICES.dynamodb.perMillionReadRequestUnits, 1e6),
    line(
      `DynamoDB storage (${ASSUMPTIONS.retentionMonths} months kept)`,
      storedGb,
      'GB-month',
      PRICES.dynamodb.storagePerGbMonth,
      1,
    ),
    line('DynamoDB PITR', storedGb, 'GB-month', PRICES.dynamodb.pitrPerGbMonth, 1),
    line(
      'Scheduler invocations',
      schedulerInvocations,
      '1M invocations',
      PRICES.scheduler.perMillionInvocations,
      1e6,
    ),
    line(
      'Scheduler schedule creations (assumed free)',
      schedulesCreated,
      'schedule',
      PRICES.scheduler.perScheduleCreation,
      1,
    ),
    line(
      'API Gateway HTTP (check-ins)',
      attended,
      '1M requests',
      PRICES.apiGateway.perMillionHttpRequests,
      1e6,
    ),
    line('SNS care-team publishes', alerts, '1M publishes', PRICES.sns.perMillionTopicPublishes, 1e6),
    line(
      'SNS care-team e-mails',
      alerts * ASSUMPTIONS.careTeamEmailSubscribers,
      '100k e-mails',
      PRICES.sns.perHundredThousandEmails,
      1e5,
    ),
    line('CloudWatch Logs ingestion', logGb, 'GB', PRICES.cloudwatchLogs.perGbIngested, 1),
  ];
  const smsPerMonth = reminders + missed * input.checkMissed.sms + screenNotices;
  return {
    perClients: 1000,
    lines,
    infrastructure: round(
      lines.reduce((n, l) => n + l.usd, 0),
      3,
    ),
    sms: round(smsPerMonth * smsPricePerMessage, 2),
    smsPerMonth: round(smsPerMonth, 0),
    smsPricePerMessage: round(smsPricePerMessage, 5),
    counts: {
      invocations: round(invocations, 0),
      gbSeconds: round(gbSeconds, 0),
      readUnits: round(readUnits, 0),
      writeUnits: round(writeUnits, 0),
      schedulerInvocations: round(schedulerInvocations, 0),
      schedulesCreated: round(schedulesCreated, 0),
      storedGb: round(storedGb, 3),
    },
  };
}
