import { ArnFormat, Duration, type Stack } from 'aws-cdk-lib';
import type { JobTarget } from '../functions/ports/job-scheduler.port.ts';
import type { LogMessageAlarm, TableAccess } from './constructs/cadence-function.ts';

/** Every Lambda is either a job target (invoked by a schedule) or the HTTP API. */
export type FunctionName = JobTarget | 'api' | 'inbound-sms';

/** The deployed Lambda's name: fixed, so ARNs can be built from it without a reference. */
export const deployedFunctionName = (stage: string, name: FunctionName) => `cadence-${stage}-${name}`;

/** A Lambda function's ARN in `stack`'s account and Region, from its name (no reference to the function). */
export const functionArn = (stack: Stack, name: string) =>
  stack.formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

/**
 * The exactly-once crash window: the daily sweep logs claimed sends that never got a message id
 * (functions/use-cases/flags.ts logs this message; tests/infra checks that it still does).
 */
export const UNCONFIRMED_SENDS_ALARM: LogMessageAlarm = {
  message: 'unconfirmed SMS sends',
  metricName: 'UnconfirmedSmsSends',
  alarmSuffix: 'unconfirmed-sms-sends',
  description: 'found SMS claimed but never confirmed: check SNS delivery logs before re-sending by hand',
};

/**
 * The drainer's timeout: it stops taking one-second windows with 20 s left and wakes a successor
 * (functions/handlers/drain-sms.handler.ts), so one invocation sends for about 100 s. The wake-up
 * queue's visibility timeout (SMS_WAKE_VISIBILITY, infra/constructs/sms-queues.ts) is longer.
 */
export const DRAIN_SMS_TIMEOUT = Duration.minutes(2);

/**
 * One deployed function. Adding a function is adding one entry to FUNCTION_SPECS; the stateless
 * stack derives its permissions and environment from these fields and nothing else.
 */
export interface FunctionSpec {
  /** Also the job target name schedules use, and the suffix of the Lambda's name. */
  readonly name: FunctionName;
  /** Handler file relative to the repository root; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  /** How the function uses the table: grants exactly that and sets TABLE_NAME. */
  readonly table: TableAccess;
  /**
   * Job targets this function creates schedules for (one-time, or a program's recurring ones). When
   * present (even empty) the function
   * gets SCHEDULE_GROUP, SCHEDULER_ROLE_ARN, SCHEDULER_DLQ_ARN, JOB_TARGETS, schedule create/update/
   * delete in the Cadence group and iam:PassRole on the scheduler role. Each target must be deployed.
   * A function may list itself or a function that schedules it back: JOB_TARGETS holds ARNs built
   * from the deterministic function names, not CloudFormation references, so no dependency cycle.
   * @default - the function schedules nothing
   */
  readonly schedulesJobs?: readonly JobTarget[];
  /**
   * Publishes SMS to phone numbers through SNS: sets SMS_SENDER_ID, SMS_ORIGINATION_NUMBER and
   * SMS_MAX_PRICE and grants sns:Publish and sns:CheckIfPhoneNumberIsOptedOut (asked before every
   * SMS), which SNS authorizes only on Resource "*". With paced sending only the drainer does.
   * @default false
   */
  readonly publishesSms?: boolean;
  /**
   * Its client SMS are paced (issue 16): queued in the table for their identity's drainer, which it
   * wakes. Sets SMS_QUEUE_URL (the FIFO wake-up queue), SMS_DEAD_LETTER_URL, SMS_PER_SECOND and
   * SMS_ORIGINATION_POOL, and grants sqs:SendMessage on the wake-up queue alone (with its key).
   * Queueing wakes the drainer now, through the queue, so it schedules nothing; only the drainer
   * wakes itself later (a one-time schedule of drain-sms) and lists 'drain-sms' in schedulesJobs.
   * @default false
   */
  readonly queuesSms?: boolean;
  /**
   * The SMS drainer: invoked by the FIFO wake-up queue (an SQS event source, 10 wake-ups a batch,
   * reporting failed ones by id) and sends to the SMS dead-letter queue. Needs queuesSms and
   * publishesSms, and a timeout no longer than the wake-up queue's visibility timeout.
   * @default false
   */
  readonly drainsSmsQueue?: boolean;
  /**
   * Takes numbers off the carrier opt-out list when a client opts back in: sns:OptInPhoneNumber
   * and sns:CheckIfPhoneNumberIsOptedOut (asked first), on Resource "*" like every phone-number
   * action. Independent of publishesSms: the opt-in confirmation is queued like any SMS.
   * @default false
   */
  readonly optsInPhoneNumbers?: boolean;
  /**
   * Subscribed to the inbound-SMS topic (clients' replies): SNS may invoke it, nothing more.
   * @default false
   */
  readonly receivesInboundSms?: boolean;
  /**
   * Publishes to the care-team topic: sets CARE_TEAM_TOPIC_ARN and APP_BASE_URL (the alerts' links)
   * and grants sns:Publish on that topic.
   * @default false
   */
  readonly publishesCareTeam?: boolean;
  /**
   * Alarms on messages the function logs, each through a metric filter of its own.
   * @default - none (every function has its errors, throttles and dead-letters alarms regardless)
   */
  readonly logAlarms?: readonly LogMessageAlarm[];
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
}

/**
 * The functions Cadence deploys, one entry each. `schedulesJobs` lists every target the function's
 * use cases pass to `scheduler.scheduleOnce` or `scheduler.scheduleRecurring` (functions/use-cases);
 * a missing one fails at run time with "no Lambda ARN configured for job target …".
 */
export const FUNCTION_SPECS: readonly FunctionSpec[] = [
  {
    name: 'generate-week',
    entry: 'functions/handlers/generate-week.handler.ts',
    description: "Writes a program's sessions for the coming week and schedules their reminders",
    table: 'readWrite',
    // each session's reminders and its attendance check (it raises no flags); above 1,000 clients,
    // the week's parts (one-time generate-week jobs that schedule those for a slice of the clients)
    schedulesJobs: ['send-reminder', 'check-attendance', 'generate-week'],
    // A whole program's week of batch writes and its reminder schedules in one run (10,000 clients:
    // ~50,000 sessions and ~150,000 schedules at 16 in flight). Larger networks fan out per program.
    timeout: Duration.minutes(15),
  },
  {
    name: 'send-reminder',
    entry: 'functions/handlers/send-reminder.handler.ts',
    description:
      'Sends one session reminder or missed-session note, exactly once, after re-reading the truth',
    table: 'readWrite',
    queuesSms: true,
  },
  {
    name: 'check-attendance',
    entry: 'functions/handlers/check-attendance.handler.ts',
    description: 'Marks a session missed when nobody checked in, notes the client and alerts the care team',
    table: 'readWrite',
    schedulesJobs: ['send-reminder', 'escalate-flag'],
    queuesSms: true,
    publishesCareTeam: true,
  },
  {
    name: 'draw-screens',
    entry: 'functions/handlers/draw-screens.handler.ts',
    description: "Makes the day's random screen draw once, records it for audit, and sends the notices",
    table: 'readWrite',
    schedulesJobs: ['check-screen'],
    queuesSms: true,
    publishesCareTeam: true,
    timeout: Duration.minutes(2),
  },
  {
    name: 'check-screen',
    entry: 'functions/handlers/check-screen.handler.ts',
    description: 'Sends a deferred screen notice, or turns no result by the window end into a no-show',
    table: 'readWrite',
    schedulesJobs: ['escalate-flag'],
    queuesSms: true,
    publishesCareTeam: true,
  },
  {
    name: 'escalate-flag',
    entry: 'functions/handlers/escalate-flag.handler.ts',
    description: 'Escalates a disengagement flag nobody acknowledged in time',
    table: 'readWrite',
    publishesCareTeam: true,
  },
  {
    name: 'sweep-engagement',
    entry: 'functions/handlers/sweep-engagement.handler.ts',
    description: "Re-evaluates every active client's engagement rules once a day",
    table: 'readWrite',
    schedulesJobs: ['escalate-flag'],
    publishesCareTeam: true,
    logAlarms: [UNCONFIRMED_SENDS_ALARM],
    timeout: Duration.minutes(5),
  },
  {
    name: 'api',
    entry: 'functions/handlers/api.handler.ts',
    description: 'The staff HTTP API behind API Gateway and the Cognito JWT authorizer',
    table: 'readWrite',
    // enrolment, reschedule and opt-in create reminder and attendance schedules; attendance and
    // screen results can raise a flag, which schedules its escalation; creating, changing and
    // deleting a program creates, replaces and deletes its recurring schedules
    schedulesJobs: [
      'send-reminder',
      'check-attendance',
      'escalate-flag',
      'generate-week',
      'sweep-engagement',
      'draw-screens',
    ],
    queuesSms: true,
    optsInPhoneNumbers: true,
    publishesCareTeam: true,
  },
  {
    name: 'inbound-sms',
    entry: 'functions/handlers/inbound-sms.handler.ts',
    description: "Reads clients' SMS replies: STOP, START, HELP, confirmations, and anything else for staff",
    table: 'readWrite',
    // START schedules the coming sessions' reminders again; STOP deletes them
    schedulesJobs: ['send-reminder', 'check-attendance'],
    queuesSms: true,
    optsInPhoneNumbers: true,
    publishesCareTeam: true,
    receivesInboundSms: true,
  },
  {
    name: 'drain-sms',
    entry: 'functions/handlers/drain-sms.handler.ts',
    description:
      "Sends an origination identity's queued SMS at its rate, earliest deadline first, after re-reading the truth",
    table: 'readWrite',
    // the only function that publishes SMS; it wakes its successor (queue) or itself later (schedule)
    publishesSms: true,
    queuesSms: true,
    drainsSmsQueue: true,
    schedulesJobs: ['drain-sms'],
    timeout: DRAIN_SMS_TIMEOUT,
  },
];

/**
 * Every function a schedule invokes: the targets of the jobs functions schedule, one-time and
 * recurring (the api function creates each program's weekly generation, sweep and draws). The
 * scheduler role may invoke these and nothing else.
 */
export function scheduledTargets(specs: readonly FunctionSpec[]): JobTarget[] {
  return [...new Set<JobTarget>(specs.flatMap((s) => s.schedulesJobs ?? []))].sort();
}
