import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clock, systemClock } from '../../ports/clock.port.ts';
import type { JobScheduler } from '../../ports/job-scheduler.port.ts';
import type { Deps } from '../../use-cases/deps.ts';
import { DynamoTable } from '../dynamodb/dynamo-table.ts';
import { dynamoRepositories } from '../dynamodb/repositories.ts';
import { DynamoSmsQueue } from '../dynamodb/sms-queue.repository.ts';
import { type LambdaEnvironment, parseEnvironment } from './environment.ts';
import { EventBridgeJobScheduler } from './eventbridge-scheduler.adapter.ts';
import { LoggedActivity } from './log-activity.adapter.ts';
import { SnsCareTeamNotifier, SnsSmsSender } from './sns-notifier.adapter.ts';
import { SqsDrainTrigger } from './sqs-drain-trigger.adapter.ts';

export const logger = new Logger({ serviceName: 'cadence' });
export const metrics = new Metrics({ namespace: 'Cadence', serviceName: 'cadence' });
/** X-Ray: every AWS SDK call of a default client is a subsegment (the handler middleware opens the segment). */
export const tracer = new Tracer({ serviceName: 'cadence' });

const noScheduler = async () => {
  throw new Error('this function has no scheduler permissions (SCHEDULE_GROUP is not set)');
};
const schedulerUnavailable: JobScheduler = {
  scheduleOnce: noScheduler,
  scheduleRecurring: noScheduler,
  cancel: noScheduler,
};

export interface AwsClients {
  dynamo: DynamoDBClient;
  scheduler: SchedulerClient;
  sns: SNSClient;
  sqs: SQSClient;
}

const missingTopic = {
  alert: async () => {
    throw new Error('this function may not alert the care team (CARE_TEAM_TOPIC_ARN is not set)');
  },
};

/** Builds the adapters once per cold start; tests pass mocked or local clients instead. */
export function awsDeps(
  env: LambdaEnvironment = parseEnvironment(),
  clients: AwsClients = {
    dynamo: tracer.captureAWSv3Client(new DynamoDBClient({})),
    scheduler: tracer.captureAWSv3Client(new SchedulerClient({})),
    sns: tracer.captureAWSv3Client(new SNSClient({})),
    sqs: tracer.captureAWSv3Client(new SQSClient({})),
  },
  /** The clock the use cases read (tests pass a virtual one). */
  clock: Clock = systemClock,
): Deps {
  const doc = DynamoDBDocumentClient.from(clients.dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const table = new DynamoTable(doc, env.TABLE_NAME);
  const scheduler =
    env.SCHEDULE_GROUP && env.SCHEDULER_ROLE_ARN && env.SCHEDULER_DLQ_ARN
      ? new EventBridgeJobScheduler(clients.scheduler, {
          group: env.SCHEDULE_GROUP,
          roleArn: env.SCHEDULER_ROLE_ARN,
          deadLetterArn: env.SCHEDULER_DLQ_ARN,
          targets: env.JOB_TARGETS,
        })
      : schedulerUnavailable;
  return {
    ...dynamoRepositories(table),
    random: { bytes: (n) => randomBytes(n) },
    scheduler,
    clock,
    activity: new LoggedActivity(logger, metrics),
    log: logger,
    sms: new SnsSmsSender(clients.sns, {
      senderId: env.SMS_SENDER_ID,
      originationNumber: env.SMS_ORIGINATION_NUMBER,
      maxPrice: env.SMS_MAX_PRICE,
    }),
    careTeam: env.CARE_TEAM_TOPIC_ARN
      ? new SnsCareTeamNotifier(clients.sns, env.CARE_TEAM_TOPIC_ARN)
      : missingTopic,
    // Only alerts use it; parseEnvironment requires it wherever CARE_TEAM_TOPIC_ARN is set.
    appBaseUrl: env.APP_BASE_URL ?? '',
    // Every function that texts has the queue (infra/functions.ts queuesSms): SMS are paced.
    ...(env.SMS_QUEUE_URL && env.SMS_DEAD_LETTER_URL
      ? {
          pacing: {
            queue: new DynamoSmsQueue(table),
            trigger: new SqsDrainTrigger(
              clients.sqs,
              { queueUrl: env.SMS_QUEUE_URL, deadLetterUrl: env.SMS_DEAD_LETTER_URL },
              scheduler,
              clock,
            ),
            perSecond: env.SMS_PER_SECOND,
            identities: env.SMS_ORIGINATION_POOL,
          },
        }
      : {}),
  };
}
