import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '../../functions/adapters/dynamodb/table-definition.ts';
import { loadStageConfig } from '../../infra/config.ts';
import { type CadenceFunction, TABLE_ACTIONS } from '../../infra/constructs/cadence-function.ts';
import { FUNCTION_SPECS } from '../../infra/functions.ts';
import {
  imported,
  logicalId,
  render,
  resourcesFor,
  type Statement,
  type SynthesizedCadence,
  shippedCadence,
  statementsOfRole,
  synthCadence,
} from './cadence-app.ts';

const { config } = loadStageConfig('dev');

let dev: SynthesizedCadence;
let generateWeek: CadenceFunction;
let generateWeekStatements: Statement[];
let tableArn: string;

/** A function's ARN as JOB_TARGETS and the scheduler role hold it: built from its name, no reference. */
const arnOf = (name: string) =>
  `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:cadence-dev-${name}`;

beforeAll(() => {
  dev = shippedCadence('dev');
  generateWeek = dev.stateless.functions.get('generate-week')!;
  generateWeekStatements = statementsOfRole(dev.statelessTemplate, logicalId(generateWeek.executionRole));
  tableArn = resourcesFor(generateWeekStatements, 'dynamodb:GetItem')[0]!;
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

  describe('bundles', () => {
    let bundled: SynthesizedCadence;
    beforeAll(() => {
      // The one synthesis of the infra tests that bundles the handlers: the others skip it to stay fast.
      bundled = synthCadence('dev', { bundle: true });
    });

    it.each(FUNCTION_SPECS.map((s) => s.name))(
      'bundles %s as an ES module exporting handler, with its source map',
      (name) => {
        const asset = bundled.stateless.functions.get(name)!.node.findChild('Code') as Asset;
        const dir = join(bundled.app.outdir, asset.assetPath);
        expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
        const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
        expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
      },
    );
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
    expect(render(env.SCHEDULER_ROLE_ARN)).toMatch(imported(dev.stateful.scheduleGroup.role, 'Arn'));
    expect(render(env.SCHEDULER_DLQ_ARN)).toMatch(
      imported(dev.stateful.scheduleGroup.deadLetterQueue, 'Arn'),
    );
    expect(JSON.parse(render(env.JOB_TARGETS))).toEqual({
      'send-reminder': arnOf('send-reminder'),
      'check-attendance': arnOf('check-attendance'),
      // the one-time parts of a week that fans out (above 1,000 clients)
      'generate-week': arnOf('generate-week'),
    });
  });
});

describe('stateless stack: job targets of every function', () => {
  const envOf = (name: string) =>
    dev.statelessTemplate.findResources('AWS::Lambda::Function')[
      logicalId(dev.stateless.functions.get(name as 'api')!)
    ]!.Properties.Environment.Variables;

  it.each(FUNCTION_SPECS.map((s) => [s.name, s] as const))(
    '%s gets JOB_TARGETS for exactly the functions it schedules, named by ARN',
    (name, spec) => {
      const env = envOf(name);
      if (!spec.schedulesJobs) {
        expect(env.JOB_TARGETS).toBeUndefined();
        expect(env.SCHEDULE_GROUP).toBeUndefined();
        return;
      }
      expect(JSON.parse(render(env.JOB_TARGETS))).toEqual(
        Object.fromEntries(spec.schedulesJobs.map((target) => [target, arnOf(target)])),
      );
      for (const target of spec.schedulesJobs) {
        const fn =
          dev.statelessTemplate.findResources('AWS::Lambda::Function')[
            logicalId(dev.stateless.functions.get(target)!)
          ]!;
        expect(fn.Properties.FunctionName).toBe(`cadence-dev-${target}`);
      }
    },
  );

  it('has no CloudFormation dependency cycle (Template refuses a cyclic one)', () => {
    expect(() => Template.fromStack(dev.stateless)).not.toThrow();
    expect(() => Template.fromStack(dev.stateful)).not.toThrow();
  });
});

describe('stateless stack: least privilege', () => {
  it('lets generate-week use exactly the item actions on the table, and only Query on its indexes', () => {
    const dynamo = generateWeekStatements.filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')));
    const onTable = dynamo.filter((s) => s.resources.every((r) => r === tableArn));
    expect(onTable.flatMap((s) => s.actions).sort()).toEqual([...TABLE_ACTIONS.readWrite].sort());
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
    const passable = resourcesFor(generateWeekStatements, 'iam:PassRole');
    expect(passable).toHaveLength(1);
    expect(passable[0]).toMatch(imported(dev.stateful.scheduleGroup.role, 'Arn'));
  });

  it('grants Resource "*" to generate-week only for the X-Ray actions, which have no resource ARN', () => {
    const anywhere = generateWeekStatements.filter((s) => s.resources.includes('*'));
    expect(anywhere.flatMap((s) => s.actions).sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('uses no AWS managed policies', () => {
    for (const template of [dev.statelessTemplate, dev.statefulTemplate]) {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
      }
    }
  });

  it('lets the scheduler role invoke only the job target functions and dead-letter only to its queue', () => {
    const jobs = dev.stateful.scheduleGroup;
    const statements = statementsOfRole(dev.statefulTemplate, logicalId(jobs.role));
    // every function some function schedules (the api its programs' recurring jobs): all but the API
    const targets = new Set(FUNCTION_SPECS.flatMap((s) => s.schedulesJobs ?? []));
    expect([...targets].sort()).toEqual(
      FUNCTION_SPECS.map((s) => s.name)
        .filter((n) => n !== 'api' && n !== 'inbound-sms')
        .sort(),
    );
    expect(resourcesFor(statements, 'lambda:InvokeFunction').sort()).toEqual([...targets].map(arnOf).sort());
    expect(resourcesFor(statements, 'sqs:SendMessage')).toEqual([`<${logicalId(jobs.deadLetterQueue)}.Arn>`]);
    expect(statements.flatMap((s) => s.actions).sort()).toEqual(
      ['kms:Decrypt', 'kms:GenerateDataKey', 'lambda:InvokeFunction', 'sqs:SendMessage'].sort(),
    );
    expect(statements.flatMap((s) => s.resources)).not.toContain('*');
  });

  it('lets only EventBridge Scheduler of this account and group assume the scheduler role', () => {
    const role =
      dev.statefulTemplate.findResources('AWS::IAM::Role')[logicalId(dev.stateful.scheduleGroup.role)]!;
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(render(trust.Condition.ArnEquals['aws:SourceArn'])).toMatch(/:schedule-group\/cadence-dev$/);
  });
});

interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: unknown };
  Stat: string;
  Period: number;
}

describe('stateless stack: alarms', () => {
  const alarms = () => Object.values(dev.statelessTemplate.findResources('AWS::CloudWatch::Alarm'));

  it('tells ops when SMS spend passes 80 % of the monthly limit', () => {
    const spend = alarms().find((a) => a.Properties.MetricName === 'SMSMonthToDateSpentUSD')!;
    expect(spend.Properties).toMatchObject({
      Namespace: 'AWS/SNS',
      Statistic: 'Maximum',
      Threshold: config.sms.monthlySpendLimitUsd * 0.8,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(render(spend.Properties.AlarmActions[0])).toMatch(/^<import:.*OpsTopic/);
  });

  it('tells ops when 3 or more direct SMS fail in an hour and they are 10 % or more of those sent', () => {
    const failures = alarms().find((a) =>
      (a.Properties.Metrics ?? []).some(
        (m: { MetricStat?: { Metric: { MetricName: string } } }) =>
          m.MetricStat?.Metric.MetricName === 'NumberOfNotificationsFailed',
      ),
    )!;
    const stats = Object.fromEntries(
      (failures.Properties.Metrics as { Id: string; MetricStat?: MetricStat; Expression?: string }[])
        .filter((m) => m.MetricStat)
        .map((m) => [m.Id, m.MetricStat!]),
    );
    for (const stat of Object.values(stats)) {
      expect(stat.Metric.Namespace).toBe('AWS/SNS');
      expect(stat.Metric.Dimensions).toEqual([{ Name: 'PhoneNumber', Value: 'PhoneNumberDirect' }]);
      expect(stat).toMatchObject({ Stat: 'Sum', Period: 3600 });
    }
    expect(
      Object.values(stats)
        .map((s) => s.Metric.MetricName)
        .sort(),
    ).toEqual(['NumberOfNotificationsDelivered', 'NumberOfNotificationsFailed']);
    const expression = failures.Properties.Metrics.find((m: { Expression?: string }) => m.Expression);
    expect(expression.Expression).toBe('IF(failed >= 3, 100 * failed / (failed + FILL(delivered, 0)), 0)');
    expect(failures.Properties).toMatchObject({
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(render(failures.Properties.AlarmActions[0])).toMatch(/^<import:.*OpsTopic/);
  });
});
