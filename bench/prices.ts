/**
 * Every AWS price the cost model uses, in one place (us-east-1, USD, list prices, no free tier unless
 * a field says so). The bench does not fetch prices: they were copied from the public pricing pages
 * named in `source` and recorded on `recorded`. Re-check them before quoting a customer.
 *
 * Also here: the assumptions that are not prices (latencies of real AWS calls, attendance rate),
 * because the cost model multiplies them with the prices and a reader should find both together.
 */
export const PRICES = {
  region: 'us-east-1',
  recorded: '2026-11-24',
  lambda: {
    source: 'https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 B GB-s/month tier)',
    perGbSecondArm64: 0.0000133334,
    perMillionRequests: 0.2,
    /** Per account and month: 1 M requests and 400,000 GB-s. Only used for the "with free tier" line. */
    freeRequestsPerMonth: 1_000_000,
    freeGbSecondsPerMonth: 400_000,
  },
  dynamodb: {
    source:
      'https://aws.amazon.com/dynamodb/pricing/on-demand/ (on-demand, Standard table class, after the 2024-11-01 price cut)',
    perMillionWriteRequestUnits: 0.625,
    perMillionReadRequestUnits: 0.125,
    // Transactional writes consume 2 WRU per 1 KB: DynamoDB Local reports them so (checked), the
    // bench takes the consumed capacity as reported.
    storagePerGbMonth: 0.25,
    /** Continuous backups (PITR is enabled in infra/stateful-stack.ts). */
    pitrPerGbMonth: 0.2,
  },
  scheduler: {
    source: 'https://aws.amazon.com/eventbridge/pricing/ (EventBridge Scheduler)',
    perMillionInvocations: 1.0,
    freeInvocationsPerMonth: 14_000_000,
    /**
     * ASSUMPTION: Scheduler bills invocations only; CreateSchedule / UpdateSchedule / DeleteSchedule
     * API calls are not billed (the pricing page lists invocations only). They are counted, not priced.
     */
    perScheduleCreation: 0,
  },
  sns: {
    source: 'https://aws.amazon.com/sns/pricing/ and https://aws.amazon.com/end-user-messaging/pricing/',
    /** Care-team topic publishes (64 KB chunks). */
    perMillionTopicPublishes: 0.5,
    /** Care-team e-mail subscriptions. */
    perHundredThousandEmails: 2.0,
    /**
     * ASSUMPTION: one US SMS = AWS base fee + carrier pass-through fee. Carrier fees differ by carrier
     * and by origination type (toll-free, 10DLC, short code); 0.0030 is a round middle value.
     */
    smsUsBasePerMessage: 0.00581,
    smsUsCarrierFeePerMessage: 0.003,
  },
  sqs: {
    source: 'https://aws.amazon.com/sqs/pricing/ (FIFO queue requests, per 64 KB chunk)',
    perMillionFifoRequests: 0.5,
  },
  apiGateway: {
    source: 'https://aws.amazon.com/api-gateway/pricing/ (HTTP API, first 300 M requests)',
    perMillionHttpRequests: 1.0,
  },
  cloudwatchLogs: {
    source: 'https://aws.amazon.com/cloudwatch/pricing/ (Standard log ingestion)',
    perGbIngested: 0.5,
  },
  // Fixed monthly costs of a deployment (docs/deploy.md, "Monthly cost"; tests/infra checks the figures).
  cloudwatchAlarms: {
    source:
      'https://aws.amazon.com/cloudwatch/pricing/ (standard-resolution alarm; a metric-math alarm per metric)',
    perAlarmMetricMonth: 0.1,
  },
  kms: {
    source: 'https://aws.amazon.com/kms/pricing/ (customer managed key)',
    perKeyMonth: 1.0,
    /** Automatic yearly rotation: the first and second rotation add one key-month each. */
    billedRotations: 2,
  },
  cognito: {
    source: 'https://aws.amazon.com/cognito/pricing/ (user pools, Plus feature plan; no free tier on Plus)',
    plusPerMonthlyActiveUser: 0.02,
  },
  backup: {
    source: 'https://aws.amazon.com/backup/pricing/ (Amazon DynamoDB backup, warm storage)',
    dynamodbPerGbMonth: 0.1,
  },
} as const;

/** Not prices: the model's assumptions about real AWS latencies and client behaviour. */
export const ASSUMPTIONS = {
  /** Weeks per month. */
  weeksPerMonth: 52 / 12,
  daysPerMonth: 365 / 12,
  /** p50 in-Region latencies of the calls DynamoDB Local and the mocks do not reproduce. */
  snsCallMs: 40,
  createScheduleMs: 25,
  /** Real DynamoDB single-item call, from Lambda in the same Region (DynamoDB Local is measured). */
  dynamoCallMs: 6,
  /** Share of sessions attended; the rest takes the missed-session path (alert, SMS, evaluation). */
  attendanceRate: 0.85,
  /** Lambda's START/END/REPORT platform lines per invocation, bytes. */
  platformLogBytesPerInvocation: 350,
  /** Powertools adds level, timestamp, service, cold start, trace id to each structured line, bytes. */
  powertoolsEnvelopeBytes: 180,
  /** Months sessions, ledger and screen items stay in the table (ledger TTL is 400 days). */
  retentionMonths: 12,
  /** Addresses subscribed to the care-team topic (entries of the stage config careTeam). */
  careTeamEmailSubscribers: 2,
} as const;

export const smsPricePerMessage = PRICES.sns.smsUsBasePerMessage + PRICES.sns.smsUsCarrierFeePerMessage;
