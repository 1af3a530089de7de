import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsDeps } from '../../functions/adapters/aws/aws-deps.ts';
import { parseEnvironment } from '../../functions/adapters/aws/environment.ts';
import type { Deps, Log } from '../../functions/use-cases/deps.ts';
import { VirtualClock } from '../../local/adapters/virtual-clock.ts';
import { freshTable } from './dynamo.ts';

export const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/**
 * The AWS adapter set, on DynamoDB Local, with SNS, SQS and Scheduler mocked and a clock the test
 * moves. `paced`: with the SMS queue's environment, as every deployed function that texts has it.
 */
export async function awsOnLocal(now: string, options: { log?: Log; paced?: boolean } = {}) {
  const { endpoint, tableName } = await freshTable();
  const env = parseEnvironment({
    ...(options.paced
      ? {
          SMS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/cadence-test-sms-wake.fifo',
          SMS_DEAD_LETTER_URL:
            'https://sqs.us-east-1.amazonaws.com/123456789012/cadence-test-sms-dead-letter',
          SMS_PER_SECOND: '20',
          SMS_ORIGINATION_POOL: '+18005550100,+18005550101',
        }
      : {}),
    TABLE_NAME: tableName,
    SCHEDULE_GROUP: 'cadence-test',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
    SCHEDULER_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:scheduler-dlq',
    // the api function's targets (infra/functions.ts): one-time jobs and the programs' recurring ones
    JOB_TARGETS: JSON.stringify({
      'send-reminder': ARN('send-reminder'),
      'check-attendance': ARN('check-attendance'),
      'escalate-flag': ARN('escalate-flag'),
      'generate-week': ARN('generate-week'),
      'sweep-engagement': ARN('sweep-engagement'),
      'draw-screens': ARN('draw-screens'),
      'drain-sms': ARN('drain-sms'),
    }),
    CARE_TEAM_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:care-team',
    SMS_ORIGINATION_NUMBER: '+18005550100',
    SMS_MAX_PRICE: '0.05',
    APP_BASE_URL: 'https://cadence.example.org',
  });
  const dynamo = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const clock = new VirtualClock(now);
  const deps: Deps = {
    ...awsDeps(
      env,
      {
        dynamo,
        scheduler: new SchedulerClient({}),
        sns: new SNSClient({}),
        sqs: new SQSClient({}),
      },
      clock,
    ),
    ...(options.log ? { log: options.log } : {}),
  };
  return { deps, clock };
}
