import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '../../functions/adapters/dynamodb/table-definition.ts';
import { DAYS } from '../../functions/domain/common.schema.ts';
import { generationLeadDays, recurringJobsFor } from '../../functions/domain/recurring-jobs.ts';
import { loadStageConfig } from '../../infra/config.ts';
import type { CadenceFunction } from '../../infra/constructs/cadence-function.ts';
import {
  logicalId,
  render,
  resourcesFor,
  type Statement,
  type SynthesizedCadence,
  statementsOfRole,
  synthCadence,
} from './cadence-app.ts';

const { config } = loadStageConfig('dev');
const sunrise = config.programs.find((p) => p.id === 'sunrise')!;

let dev: SynthesizedCadence;
let generateWeek: CadenceFunction;
let generateWeekStatements: Statement[];
let tableArn: string;

beforeAll(() => {
  dev = synthCadence('dev');
  generateWeek = dev.stateless.functions.get('generate-week')!;
  generateWeekStatements = statementsOfRole(dev.statelessTemplate, logicalId(generateWeek.executionRole));
  tableArn = resourcesFor(generateWeekStatements, 'dynamodb:GetItem')[0]!;
});

/** Minutes from a weekly `M H ? * DAY *` cron's firing until the following Monday 00:00. */
function minutesBeforeMonday(cron: string): number {
  const [minute, hour, , , day] = cron.split(' ');
  const daysBack = (7 - DAYS.indexOf(day as (typeof DAYS)[number])) % 7 || 7;
  return daysBack * 1440 - (Number(hour) * 60 + Number(minute));
}

describe('stateless stack: the weekly schedule of the demo program', () => {
  const job = recurringJobsFor(sunrise).find((j) => j.target === 'generate-week')!;

  it('runs generate-week on a cron in the program time zone, in the cadence-dev group', () => {
    dev.statelessTemplate.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'cadence-dev' });
    dev.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'week-sunrise',
      GroupName: { Ref: logicalId(dev.stateless.jobScheduling.group) },
      ScheduleExpression: `cron(${job.cron})`,
      ScheduleExpressionTimezone: 'America/New_York',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
  });

  it('fires at least the largest reminder offset before Monday 00:00 (generationLeadDays)', () => {
    const [schedule] = Object.values(
      dev.statelessTemplate.findResources('AWS::Scheduler::Schedule', {
        Properties: { Name: 'week-sunrise' },
      }),
    );
    const cron = /^cron\((.*)\)$/.exec(schedule!.Properties.ScheduleExpression)![1]!;
    const lead = minutesBeforeMonday(cron);
    expect(lead).toBeGreaterThanOrEqual(Math.max(...sunrise.reminders.offsetsMinutes));
    expect(Math.ceil(lead / 1440)).toBe(generationLeadDays(sunrise));
  });

  it('invokes generate-week with the program id and the scheduled time, retried, with a dead-letter queue', () => {
    const [schedule] = Object.values(
      dev.statelessTemplate.findResources('AWS::Scheduler::Schedule', {
        Properties: { Name: 'week-sunrise' },
      }),
    );
    const target = schedule!.Properties.Target;
    expect(render(target.Arn)).toBe(`<${logicalId(generateWeek)}.Arn>`);
    expect(render(target.RoleArn)).toBe(`<${logicalId(dev.stateless.jobScheduling.role)}.Arn>`);
    expect(JSON.parse(target.Input)).toEqual({
      programId: 'sunrise',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
    expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(render(target.DeadLetterConfig.Arn)).toBe(
      `<${logicalId(dev.stateless.jobScheduling.deadLetterQueue)}.Arn>`,
    );
  });

  it('creates one schedule per recurring job of each configured program', () => {
    const expected = config.programs.flatMap((p) => recurringJobsFor(p)).map((j) => j.name);
    const names = Object.values(dev.statelessTemplate.findResources('AWS::Scheduler::Schedule')).map(
      (s) => s.Properties.Name,
    );
    expect(names.sort()).toEqual(expected.sort());
  });
});

describe('stateless stack: the generate-week function', () => {
  it('runs Node.js 24 on arm64 with active tracing and source maps', () => {
    dev.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'cadence-dev-generate-week',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
    });
    const fn = dev.statelessTemplate.findResources('AWS::Lambda::Function')[logicalId(generateWeek)]!;
    expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('is bundled as an ES module with its source map', () => {
    const asset = generateWeek.node.findChild('Code') as Asset;
    const dir = join(dev.app.outdir, asset.assetPath);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
  });

  it('logs to its own encrypted log group with the configured retention', () => {
    const logGroupId = logicalId(generateWeek.logGroup);
    dev.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'cadence-dev-generate-week',
      LoggingConfig: { LogGroup: { Ref: logGroupId } },
    });
    const logGroup = dev.statelessTemplate.findResources('AWS::Logs::LogGroup')[logGroupId]!;
    expect(logGroup.Properties.RetentionInDays).toBe(config.logRetentionDays);
    expect(render(logGroup.Properties.KmsKeyId)).toMatch(/^<import:.*LogsKey.*>$/);
  });

  it('sends failed asynchronous invocations to an encrypted, SSL-only dead-letter queue', () => {
    const queueId = logicalId(generateWeek.deadLetters);
    const fn = dev.statelessTemplate.findResources('AWS::Lambda::Function')[logicalId(generateWeek)]!;
    expect(render(fn.Properties.DeadLetterConfig.TargetArn)).toBe(`<${queueId}.Arn>`);
    const queue = dev.statelessTemplate.findResources('AWS::SQS::Queue')[queueId]!;
    expect(render(queue.Properties.KmsMasterKeyId)).toMatch(/MessagingKey/);
    const [policy] = Object.values(
      dev.statelessTemplate.findResources('AWS::SQS::QueuePolicy', {
        Properties: { Queues: [{ Ref: queueId }] },
      }),
    );
    expect(policy!.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('gets the table name and the scheduler settings from its environment', () => {
    const fn = dev.statelessTemplate.findResources('AWS::Lambda::Function')[logicalId(generateWeek)]!;
    const env = fn.Properties.Environment.Variables;
    expect(render(env.TABLE_NAME)).toMatch(/^<import:.*Table/);
    expect(env.SCHEDULE_GROUP).toBe('cadence-dev');
    expect(render(env.SCHEDULER_ROLE_ARN)).toBe(`<${logicalId(dev.stateless.jobScheduling.role)}.Arn>`);
    expect(render(env.SCHEDULER_DLQ_ARN)).toBe(
      `<${logicalId(dev.stateless.jobScheduling.deadLetterQueue)}.Arn>`,
    );
    expect(JSON.parse(render(env.JOB_TARGETS))).toEqual(
      Object.fromEntries(
        (['send-reminder', 'check-attendance', 'escalate-flag'] as const).map((name) => [
          name,
          `<${logicalId(dev.stateless.functions.get(name)!)}.Arn>`,
        ]),
      ),
    );
  });
});

describe('stateless stack: least privilege', () => {
  it('lets generate-week use exactly the item actions on the table, and only Query on its indexes', () => {
    const dynamo = generateWeekStatements.filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')));
    const onTable = dynamo.filter((s) => s.resources.every((r) => r === tableArn));
    expect(onTable.flatMap((s) => s.actions).sort()).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ].sort(),
    );
    const indexArns = TABLE_DEFINITION.globalIndexes.map((i) => `${tableArn}/index/${i.indexName}`);
    const onIndexes = dynamo.filter((s) => s !== onTable[0]);
    expect(onIndexes).toEqual([{ effect: 'Allow', actions: ['dynamodb:Query'], resources: indexArns }]);
    expect(tableArn).toMatch(/^<import:.*Table.*Arn/);
  });

  it("lets generate-week manage schedules only in its group's schedules and pass only the scheduler role", () => {
    const scheduler = generateWeekStatements.filter((s) => s.actions.some((a) => a.startsWith('scheduler:')));
    expect(scheduler).toEqual([
      {
        effect: 'Allow',
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'],
        resources: ['arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/cadence-dev/*'],
      },
    ]);
    expect(resourcesFor(generateWeekStatements, 'iam:PassRole')).toEqual([
      `<${logicalId(dev.stateless.jobScheduling.role)}.Arn>`,
    ]);
  });

  it('grants Resource "*" to generate-week only for the X-Ray actions, which have no resource ARN', () => {
    const anywhere = generateWeekStatements.filter((s) => s.resources.includes('*'));
    expect(anywhere.flatMap((s) => s.actions).sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('uses no AWS managed policies', () => {
    for (const role of Object.values(dev.statelessTemplate.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
  });

  it('lets the scheduler role invoke only the job target functions and dead-letter only to its queue', () => {
    const jobs = dev.stateless.jobScheduling;
    const statements = statementsOfRole(dev.statelessTemplate, logicalId(jobs.role));
    expect(resourcesFor(statements, 'lambda:InvokeFunction')).toEqual(
      (
        [
          'generate-week',
          'send-reminder',
          'check-attendance',
          'check-screen',
          'escalate-flag',
          'sweep-engagement',
        ] as const
      )
        .map((name) => `<${logicalId(dev.stateless.functions.get(name)!)}.Arn>`)
        .sort(),
    );
    expect(resourcesFor(statements, 'sqs:SendMessage')).toEqual([`<${logicalId(jobs.deadLetterQueue)}.Arn>`]);
    expect(statements.flatMap((s) => s.actions).sort()).toEqual(
      ['kms:Decrypt', 'kms:GenerateDataKey', 'lambda:InvokeFunction', 'sqs:SendMessage'].sort(),
    );
    expect(statements.flatMap((s) => s.resources)).not.toContain('*');
  });

  it('lets only EventBridge Scheduler of this account and group assume the scheduler role', () => {
    const role =
      dev.statelessTemplate.findResources('AWS::IAM::Role')[logicalId(dev.stateless.jobScheduling.role)]!;
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(render(trust.Condition.ArnEquals['aws:SourceArn'])).toMatch(/:schedule-group\/cadence-dev$/);
  });
});

describe('stateless stack: alarms', () => {
  it('tells ops about function errors, dead letters and SMS spend nearing the monthly limit', () => {
    const alarms = Object.values(dev.statelessTemplate.findResources('AWS::CloudWatch::Alarm'));
    for (const alarm of alarms)
      expect(render(alarm.Properties.AlarmActions[0])).toMatch(/^<import:.*OpsTopic/);
    const metrics = alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    expect(metrics).toEqual(
      expect.arrayContaining([
        'AWS/Lambda/Errors',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        'AWS/SNS/SMSMonthToDateSpentUSD',
      ]),
    );
    const spend = alarms.find((a) => a.Properties.MetricName === 'SMSMonthToDateSpentUSD')!;
    expect(spend.Properties.Threshold).toBe(config.sms.monthlySpendLimitUsd * 0.8);
  });
});
