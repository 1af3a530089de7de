import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Aws,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  type RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { routes } from '../functions/handlers/api/routes.ts';
import type { JobTarget } from '../functions/ports/job-scheduler.port.ts';
import { WEB_DIST } from '../web/build.ts';
import type { Stage, StageConfig } from './config.ts';
import { CadenceApi } from './constructs/cadence-api.ts';
import { CadenceFunction } from './constructs/cadence-function.ts';
import { subscribeToInboundSms } from './constructs/inbound-sms.ts';
import { JobScheduling, type ScheduleGroupResources } from './constructs/job-scheduling.ts';
import type { SmsQueueResources } from './constructs/sms-queues.ts';
import { WebApp } from './constructs/web-app.ts';
import {
  deployedFunctionName,
  FUNCTION_SPECS,
  type FunctionName,
  type FunctionSpec,
  functionArn,
} from './functions.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * SNS authorizes a Publish to a phone number (not a topic), CheckIfPhoneNumberIsOptedOut and
 * OptInPhoneNumber only against Resource "*".
 */
const ANY_PHONE_NUMBER = '*';

/** Wake-ups the drainer takes in one invocation (FIFO: one batch in flight per identity). */
export const SMS_WAKE_BATCH_SIZE = 10;

/**
 * SNS reports SMS published straight to a phone number (not through a topic) under this dimension;
 * every Cadence SMS is sent that way.
 */
const DIRECT_SMS = { PhoneNumber: 'PhoneNumberDirect' };
/** The SMS failure alarm fires on at least this many failures making up at least this share of an hour's SMS. */
const SMS_FAILURES = { atLeast: 3, percent: 10 };

/** What the stateless stack takes from the stateful one. */
export interface StatefulResources {
  readonly table: ITable;
  readonly messagingKey: IKey;
  readonly logsKey: IKey;
  readonly careTeamTopic: ITopic;
  readonly opsTopic: ITopic;
  /** Clients' SMS replies (End User Messaging two-way messaging). */
  readonly inboundSms: { readonly topic: ITopic };
  readonly removalPolicy: RemovalPolicy;
  /** The staff user pool and the dashboard client the API's authorizer trusts. */
  readonly staff: { readonly userPool: IUserPool; readonly client: IUserPoolClient };
  /** The schedule group, the role schedules run as and their dead-letter queue. */
  readonly scheduleGroup: ScheduleGroupResources;
  /** Paced sending: the drainers' FIFO wake-up queue, its dead-letter queue, the SMS given up. */
  readonly smsQueues: SmsQueueResources;
}

export interface StatelessStackProps extends StackProps {
  readonly stage: Stage;
  readonly config: StageConfig;
  readonly stateful: StatefulResources;
  /** @default FUNCTION_SPECS */
  readonly functions?: readonly FunctionSpec[];
  /** The built web app. @default web/dist */
  readonly webDir?: string;
}

/**
 * What can be redeployed at will: the functions, the staff API and the alarms. It declares no
 * schedule: every schedule (a program's recurring ones, made by the api function when the program
 * is created or changed, and the one-time ones the functions make) lives in the stateful stack's
 * schedule group.
 */
export class StatelessStack extends Stack {
  public readonly functions: ReadonlyMap<FunctionName, CadenceFunction>;
  public readonly jobScheduling: JobScheduling;
  /** The staff HTTP API, when an `api` function is deployed. */
  public readonly api?: CadenceApi;
  /** The care-team web app (CloudFront, S3, managed login), with the API. */
  public readonly webApp?: WebApp;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    // Exports keep the stateful stack from being deleted while this one uses its table and topics.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { stage, config, stateful } = props;
    const specs = props.functions ?? FUNCTION_SPECS;
    checkSpecs(specs, config, stateful.smsQueues);
    const functionName = (name: FunctionName) => deployedFunctionName(stage, name);

    this.jobScheduling = new JobScheduling(this, 'Jobs', {
      scheduleGroup: stateful.scheduleGroup,
      alarmTopic: stateful.opsTopic,
      alarmNamePrefix: `cadence-${stage}`,
      targetArn: (target) => functionArn(this, functionName(target)),
    });

    const functions = new Map<FunctionName, CadenceFunction>();
    for (const spec of specs) {
      const fn = new CadenceFunction(this, pascalCase(spec.name), {
        entry: resolve(REPO_ROOT, spec.entry),
        projectRoot: REPO_ROOT,
        functionName: functionName(spec.name),
        description: spec.description,
        logRetention: config.logRetentionDays as RetentionDays,
        logsKey: stateful.logsKey,
        queueKey: stateful.messagingKey,
        removalPolicy: stateful.removalPolicy,
        alarmTopic: stateful.opsTopic,
        reservedConcurrentExecutions: config.reservedConcurrency?.[spec.name],
        logAlarms: spec.logAlarms,
        timeout: spec.timeout,
        memorySize: spec.memorySize,
      });
      fn.bindTable({ table: stateful.table, access: spec.table });
      if (spec.publishesCareTeam)
        fn.bindTopic({ topic: stateful.careTeamTopic, envVarName: 'CARE_TEAM_TOPIC_ARN' });
      if (spec.publishesSms) setSmsSender(fn, config.sms);
      if (spec.publishesSms || spec.optsInPhoneNumbers)
        this.allowPhoneNumbers(fn, {
          publish: spec.publishesSms === true,
          optIn: spec.optsInPhoneNumbers === true,
        });
      if (spec.queuesSms) queueSms(fn, config.sms, stateful.smsQueues);
      if (spec.drainsSmsQueue) drainSmsQueue(fn, stateful.smsQueues);
      if (spec.receivesInboundSms) subscribeToInboundSms(fn, stateful.inboundSms.topic);
      functions.set(spec.name, fn);
    }
    this.functions = functions;

    for (const spec of specs) {
      if (spec.schedulesJobs)
        this.jobScheduling.grantScheduling(functions.get(spec.name)!, spec.schedulesJobs);
    }

    const apiFunction = functions.get('api');
    if (apiFunction) {
      this.api = new CadenceApi(this, 'StaffApi', {
        userPool: stateful.staff.userPool,
        stage,
        logGroupName: `/cadence/cadence-${stage}-api-access`,
        logsKey: stateful.logsKey,
        logRetention: config.logRetentionDays as RetentionDays,
        removalPolicy: stateful.removalPolicy,
      });
      this.webApp = new WebApp(this, 'WebApp', {
        httpApi: this.api.httpApi,
        userPool: stateful.staff.userPool,
        authDomainPrefix: config.authDomainPrefix ?? `cadence-${stage}-${Aws.ACCOUNT_ID}`,
        sourceDir: props.webDir ?? WEB_DIST,
        stage,
        removalPolicy: stateful.removalPolicy,
        logsKey: stateful.logsKey,
        logRetention: config.logRetentionDays as RetentionDays,
      });
      this.api.addRoutes({
        routes,
        handler: apiFunction,
        userPoolClients: [stateful.staff.client, this.webApp.client],
      });
    }

    // Alert links open the care-team web app: its distribution, or the address configured for it
    // (a custom domain). Its URL in a function's environment is no cycle: the distribution depends on
    // the HttpApi resource alone, which depends on nothing of the functions (its routes do).
    const appBaseUrl = config.appBaseUrl ?? this.webApp?.url;
    for (const spec of specs.filter((s) => s.publishesCareTeam)) {
      if (!appBaseUrl) {
        throw new Error(
          `${spec.name} sends care-team alerts, whose links need a base URL: set appBaseUrl in infra/config.ts or deploy the api function`,
        );
      }
      functions.get(spec.name)!.addEnvironment('APP_BASE_URL', appBaseUrl);
    }

    this.addSmsSpendAlarm(`cadence-${stage}`, config.sms.monthlySpendLimitUsd, stateful.opsTopic);
    this.addQueueAlarm(
      'SmsDeadLettersAlarm',
      `cadence-${stage}-sms-dead-letters`,
      'The SMS drainer gave up on an SMS after its last attempt: see the sms-dead-letter queue (docs/deploy.md, "Paced sending")',
      stateful.smsQueues.deadLetterQueue,
      stateful.opsTopic,
    );
    this.addQueueAlarm(
      'SmsWakeDeadLettersAlarm',
      `cadence-${stage}-sms-wake-dead-letters`,
      'A wake-up of an SMS drainer failed 5 times: its identity\'s queued SMS wait for the next wake-up (docs/deploy.md, "Paced sending")',
      stateful.smsQueues.wakeDeadLetterQueue,
      stateful.opsTopic,
    );
    this.addSmsDeliveryAlarm(`cadence-${stage}`, stateful.opsTopic);
  }

  /**
   * The SNS actions on phone numbers, in a policy of their own so that its acknowledgement covers
   * these statements and nothing else: Publish (only the drainer sends), CheckIfPhoneNumberIsOptedOut
   * (asked before every SMS and before an opt-in) and OptInPhoneNumber (a client opting back in).
   */
  private allowPhoneNumbers(fn: CadenceFunction, { publish, optIn }: { publish: boolean; optIn: boolean }) {
    const policy = new ManagedPolicy(this, `${fn.node.id}SmsPolicy`, {
      description: `Lets ${fn.node.id} ${publish ? 'send SMS' : 'opt phone numbers back in'}`,
      statements: [
        new PolicyStatement({
          actions: [
            ...(publish ? ['sns:Publish'] : []),
            'sns:CheckIfPhoneNumberIsOptedOut',
            ...(optIn ? ['sns:OptInPhoneNumber'] : []),
          ],
          resources: [ANY_PHONE_NUMBER],
        }),
      ],
      roles: [fn.executionRole],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'SNS authorizes sns:Publish to a phone number, sns:CheckIfPhoneNumberIsOptedOut and sns:OptInPhoneNumber only on Resource "*"; these SMS actions alone',
    });
  }

  /** An alarm as soon as a dead-letter queue holds a message (the same shape as the functions'). */
  private addQueueAlarm(id: string, alarmName: string, description: string, queue: IQueue, topic: ITopic) {
    new Alarm(this, id, {
      alarmName,
      alarmDescription: description,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(topic));
  }

  /**
   * Carriers refusing our messages (a filtered sender, an unregistered identity, blocked numbers)
   * shows as failed deliveries. A single failure (a landline, a phone switched off) is normal, so the
   * alarm wants several, and a real share of the hour's SMS.
   */
  private addSmsDeliveryAlarm(namePrefix: string, topic: ITopic): void {
    const sms = (metricName: string) =>
      new Metric({
        namespace: 'AWS/SNS',
        metricName,
        dimensionsMap: DIRECT_SMS,
        statistic: 'Sum',
        period: Duration.hours(1),
      });
    const { atLeast, percent } = SMS_FAILURES;
    new Alarm(this, 'SmsFailuresAlarm', {
      alarmName: `${namePrefix}-sms-failures`,
      alarmDescription: `${atLeast} or more SMS failed in the last hour, ${percent} % or more of those sent`,
      metric: new MathExpression({
        label: `Failed SMS, % of the hour's (0 below ${atLeast} failures)`,
        expression: `IF(failed >= ${atLeast}, 100 * failed / (failed + FILL(delivered, 0)), 0)`,
        usingMetrics: {
          failed: sms('NumberOfNotificationsFailed'),
          delivered: sms('NumberOfNotificationsDelivered'),
        },
        period: Duration.hours(1),
      }),
      threshold: percent,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(topic));
  }

  /** SNS stops sending only minutes after the account's MonthlySpendLimit; ops hear at 80 %. */
  private addSmsSpendAlarm(namePrefix: string, limitUsd: number, topic: ITopic): void {
    new Alarm(this, 'SmsSpendAlarm', {
      alarmName: `${namePrefix}-sms-spend`,
      alarmDescription: `SMS spend this month passed 80 % of the USD ${limitUsd} limit`,
      metric: new Metric({
        namespace: 'AWS/SNS',
        metricName: 'SMSMonthToDateSpentUSD',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      threshold: limitUsd * 0.8,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(topic));
  }
}

/** Who an SMS is from and what it may cost (the function publishes SMS itself). */
function setSmsSender(fn: CadenceFunction, sms: StageConfig['sms']): void {
  if (sms.senderId) fn.addEnvironment('SMS_SENDER_ID', sms.senderId);
  if (sms.originationNumber) fn.addEnvironment('SMS_ORIGINATION_NUMBER', sms.originationNumber);
  fn.addEnvironment('SMS_MAX_PRICE', String(sms.maxPriceUsd));
}

/**
 * Paced sending: the function queues its SMS and wakes the identity's drainer through the FIFO
 * queue: SendMessage on that queue alone (and its key). It learns the dead-letter queue's URL
 * (the adapters want both) but may not send to it: only the drainer gives up on an SMS.
 */
function queueSms(fn: CadenceFunction, sms: StageConfig['sms'], queues: SmsQueueResources): void {
  grantSend(fn, queues.wakeQueue);
  fn.addEnvironment('SMS_QUEUE_URL', queues.wakeQueue.queueUrl);
  fn.addEnvironment('SMS_DEAD_LETTER_URL', queues.deadLetterQueue.queueUrl);
  fn.addEnvironment('SMS_PER_SECOND', String(sms.perSecond));
  if (sms.originationPool.length > 0)
    fn.addEnvironment('SMS_ORIGINATION_POOL', sms.originationPool.join(','));
}

/**
 * The drainer: the FIFO queue invokes it with up to SMS_WAKE_BATCH_SIZE wake-ups and retries only
 * those it reports failed (the event source grants receiving and deleting, and kms:Decrypt); it
 * hands the SMS it gives up on to the dead-letter queue.
 */
function drainSmsQueue(fn: CadenceFunction, queues: SmsQueueResources): void {
  fn.addEventSource(
    new SqsEventSource(queues.wakeQueue, {
      batchSize: SMS_WAKE_BATCH_SIZE,
      reportBatchItemFailures: true,
    }),
  );
  grantSend(fn, queues.deadLetterQueue);
}

/**
 * sqs:SendMessage on one queue and what SQS needs of its key (not grantSendMessages, which adds
 * kms:Encrypt and kms:ReEncrypt* and sqs:GetQueueAttributes / GetQueueUrl, none of which it calls).
 */
function grantSend(fn: CadenceFunction, queue: IQueue): void {
  fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  queue.encryptionMasterKey?.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
}

/**
 * Names are unique and every job a function schedules is a deployed function. Scheduling oneself is
 * allowed: JOB_TARGETS and the scheduler role use ARNs built from names (see JobScheduling).
 */
function checkSpecs(specs: readonly FunctionSpec[], config: StageConfig, queues: SmsQueueResources): void {
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) throw new Error(`function ${spec.name} is listed twice in FUNCTION_SPECS`);
    names.add(spec.name);
    if (spec.drainsSmsQueue) checkDrainer(spec, queues.wakeVisibilityTimeout);
  }
  const queuer = specs.find((s) => s.queuesSms);
  if (queuer && !specs.some((s) => s.drainsSmsQueue)) {
    throw new Error(
      `${queuer.name} queues SMS, but no function drains the SMS queue: deploy drain-sms (FUNCTION_SPECS in infra/functions.ts)`,
    );
  }
  for (const spec of specs) {
    const missing = (spec.schedulesJobs ?? []).filter((target: JobTarget) => !names.has(target));
    if (missing.length > 0) {
      throw new Error(
        `${spec.name} schedules ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not deployed: ` +
          'add the function spec to FUNCTION_SPECS (infra/functions.ts) first',
      );
    }
  }
  for (const name of Object.keys(config.reservedConcurrency ?? {})) {
    if (!names.has(name)) {
      throw new Error(
        `reservedConcurrency names ${name}, which is not deployed: remove it from infra/config.ts`,
      );
    }
  }
}

/**
 * The drainer sends (publishesSms), wakes its successor and dead-letters (queuesSms), wakes itself
 * later (schedules drain-sms) and is never still running when its wake-up becomes visible again.
 */
function checkDrainer(spec: FunctionSpec, visibility: Duration): void {
  const missing = [
    ...(spec.publishesSms ? [] : ['publishesSms']),
    ...(spec.queuesSms ? [] : ['queuesSms']),
    ...(spec.schedulesJobs?.includes('drain-sms') ? [] : ["schedulesJobs: ['drain-sms']"]),
  ];
  if (missing.length > 0)
    throw new Error(`${spec.name} drains the SMS queue, so it needs ${missing.join(', ')}`);
  const timeout = spec.timeout ?? Duration.seconds(30);
  if (timeout.toSeconds() > visibility.toSeconds()) {
    throw new Error(
      `${spec.name} may run ${timeout.toHumanString()}, longer than the wake-up queue's visibility timeout (${visibility.toHumanString()}): SQS would wake a second drainer meanwhile`,
    );
  }
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
