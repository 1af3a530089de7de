import { readFileSync } from 'node:fs';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PRICES } from '../../bench/prices.ts';
import { EventBridgeJobScheduler } from '../../functions/adapters/aws/eventbridge-scheduler.adapter.ts';
import type { JobTarget } from '../../functions/ports/job-scheduler.port.ts';
import { loadStageConfig } from '../../infra/config.ts';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/cadence-api.ts';
import { PROGRAMS_ATTRIBUTE } from '../../infra/constructs/staff-user-pool.ts';
import { FUNCTION_SPECS, UNCONFIRMED_SENDS_ALARM } from '../../infra/functions.ts';
import { TABLE_BACKUP } from '../../infra/stateful-stack.ts';
import { imported, logicalId, render, type SynthesizedCadence, shippedCadence } from './cadence-app.ts';

/** Invariants every stack of every shipped stage keeps: deploy-time failures and issue #12's findings. */

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties, read by path in assertions
type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const stages = ['dev', 'prod'] as const;

/** A `/cadence/*` style glob from a key policy, as a RegExp over log group names. */
const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** UnconfirmedSmsSends -> unconfirmed-sms-sends */
const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

describe.each(stages)('every stack of the %s stage', (stage) => {
  let built: SynthesizedCadence;
  let templates: Template[];
  const all = (type: string): [string, Resource][] =>
    templates.flatMap((t) => Object.entries(t.findResources(type) as Record<string, Resource>));
  const lambdas = () => Object.entries(built.statelessTemplate.findResources('AWS::Lambda::Function'));

  beforeAll(() => {
    built = shippedCadence(stage);
    templates = [built.statefulTemplate, built.statelessTemplate];
  });

  it('names every KMS-encrypted log group under the prefix its key policy admits (else the deploy rolls back)', () => {
    const encrypted = all('AWS::Logs::LogGroup').filter(([, g]) => g.Properties.KmsKeyId);
    // each function's, the API's access log and the web app deployment's
    expect(encrypted.length).toBe(FUNCTION_SPECS.length + 2);
    const keys = built.statefulTemplate.findResources('AWS::KMS::Key');
    for (const [id, group] of encrypted) {
      // the key: a reference within the stack, or the stateful stack's export of it
      const key = render(group.Properties.KmsKeyId);
      const keyId =
        /^<(\w+)\.Arn>$/.exec(key)?.[1] ?? /ExportsOutputFnGetAtt(\w+?)Arn[0-9A-F]{8}>$/.exec(key)?.[1];
      const admitted = (
        keys[keyId!]!.Properties.KeyPolicy.Statement as {
          Principal?: { Service?: unknown };
          Condition: { ArnLike: Record<string, unknown> };
        }[]
      )
        .filter((s) => /^logs\./.test(render(s.Principal?.Service ?? '')))
        .map(
          (s) => render(s.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).split(':log-group:')[1]!,
        );
      expect(admitted).toEqual(['/cadence/*']);
      const name = group.Properties.LogGroupName;
      expect(typeof name, `${id} has no LogGroupName: CloudFormation would name it outside /cadence/`).toBe(
        'string',
      );
      expect(name).toMatch(globToRegExp(admitted[0]!));
    }
  });

  it('reserves no Lambda concurrency: the shipped config asks for none (new accounts refuse any)', () => {
    expect(loadStageConfig(stage).config.reservedConcurrency).toBeUndefined();
    for (const [id, fn] of lambdas()) {
      expect(fn.Properties.ReservedConcurrentExecutions, id).toBeUndefined();
    }
  });

  it('writes each metric from one metric filter', () => {
    const metrics = all('AWS::Logs::MetricFilter').flatMap(([, f]) =>
      (f.Properties.MetricTransformations as Record<string, unknown>[]).map((m) =>
        JSON.stringify([m.MetricNamespace, m.MetricName, m.Dimensions ?? []]),
      ),
    );
    expect(metrics.length).toBeGreaterThan(0);
    expect(new Set(metrics).size).toBe(metrics.length);
  });

  it('filters the unconfirmed-sends message only where it is logged, in the message the sweep logs', () => {
    const filters = all('AWS::Logs::MetricFilter').filter(
      ([, f]) => f.Properties.MetricTransformations[0].MetricName === UNCONFIRMED_SENDS_ALARM.metricName,
    );
    expect(filters).toHaveLength(1);
    const sweep = built.stateless.functions.get('sweep-engagement')!;
    expect(filters[0]![1].Properties.LogGroupName).toEqual({ Ref: logicalId(sweep.logGroup) });
    expect(filters[0]![1].Properties.FilterPattern).toBe(
      `{ $.message = "${UNCONFIRMED_SENDS_ALARM.message}" }`,
    );
    const flags = readFileSync('functions/use-cases/flags.ts', 'utf8');
    expect(flags).toContain(`deps.log.error('${UNCONFIRMED_SENDS_ALARM.message}'`);
  });

  it('names every alarm after what it watches: the function or resource, then the metric', () => {
    const prefix = `cadence-${stage}`;
    const functionNameOf = (ref: unknown) =>
      built.statelessTemplate.findResources('AWS::Lambda::Function')[/^<(\w+)>$/.exec(render(ref))![1]!]!
        .Properties.FunctionName as string;
    // a function's dead-letter queue, or the scheduler's or paced sending's (imported from the stateful stack)
    const ownerOfQueue = (queueName: unknown): string => {
      const rendered = render(queueName);
      if (imported(built.stateful.scheduleGroup.deadLetterQueue, 'QueueName').test(rendered))
        return `${prefix}-scheduler`;
      if (imported(built.stateful.smsQueues.deadLetterQueue, 'QueueName').test(rendered))
        return `${prefix}-sms`;
      if (imported(built.stateful.smsQueues.wakeDeadLetterQueue, 'QueueName').test(rendered))
        return `${prefix}-sms-wake`;
      const queueId = /^<(\w+)\.QueueName>$/.exec(rendered)![1];
      const [, fn] = lambdas().find(
        ([, f]) => render(f.Properties.DeadLetterConfig.TargetArn) === `<${queueId}.Arn>`,
      )!;
      return fn.Properties.FunctionName;
    };
    const functionOfLogGroup = (logGroupName: unknown) =>
      lambdas().find(([, f]) => render(f.Properties.LoggingConfig.LogGroup) === render(logGroupName))![1]
        .Properties.FunctionName as string;
    const filters = all('AWS::Logs::MetricFilter').map(([, f]) => f.Properties);

    const alarms = all('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, { Properties: alarm }] of alarms) {
      const dimension = (name: string) =>
        (alarm.Dimensions as { Name: string; Value: unknown }[] | undefined)?.find((d) => d.Name === name)
          ?.Value;
      let expected: string;
      if (alarm.Namespace === 'AWS/Lambda') {
        expected = `${functionNameOf(dimension('FunctionName'))}-${kebab(alarm.MetricName)}`;
      } else if (alarm.Namespace === 'AWS/SQS') {
        expected = `${ownerOfQueue(dimension('QueueName'))}-dead-letters`;
      } else if (alarm.Namespace === 'Cadence') {
        const filter = filters.find((f) => f.MetricTransformations[0].MetricName === alarm.MetricName)!;
        expected = `${functionOfLogGroup(filter.LogGroupName)}-${kebab(alarm.MetricName)}`;
      } else if (alarm.MetricName === 'SMSMonthToDateSpentUSD') {
        expected = `${prefix}-sms-spend`;
      } else {
        const watched = (alarm.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[])
          .map((m) => m.MetricStat?.Metric.MetricName)
          .filter(Boolean);
        expect(watched.sort(), id).toEqual(['NumberOfNotificationsDelivered', 'NumberOfNotificationsFailed']);
        expected = `${prefix}-sms-failures`;
      }
      expect(alarm.AlarmName, id).toBe(expected);
    }
  });

  it('declares no schedule: the recurring ones a function creates (from its environment) get the dead-letter queue, a retry policy and no flexible window', () => {
    expect(all('AWS::Scheduler::Schedule')).toEqual([]);
    const recurringTargets: JobTarget[] = ['generate-week', 'sweep-engagement', 'draw-screens'];
    const makers = lambdas().filter(([, f]) => {
      const targets = f.Properties.Environment.Variables.JOB_TARGETS;
      // The functions that make a program's recurring schedules may target all of them; generate-week
      // targets itself only for the one-time parts of a week that fans out.
      return targets && recurringTargets.every((t) => t in JSON.parse(render(targets)));
    });
    expect(makers.map(([, f]) => f.Properties.FunctionName)).toEqual([`cadence-${stage}-api`]);
    for (const [id, fn] of makers) {
      const env = fn.Properties.Environment.Variables;
      const scheduler = new EventBridgeJobScheduler({} as SchedulerClient, {
        group: env.SCHEDULE_GROUP,
        roleArn: render(env.SCHEDULER_ROLE_ARN),
        deadLetterArn: render(env.SCHEDULER_DLQ_ARN),
        targets: JSON.parse(render(env.JOB_TARGETS)),
      });
      for (const target of recurringTargets) {
        const input = scheduler.recurringInput({
          name: 'n',
          target,
          cron: '5 0 ? * SAT *',
          timezone: 'America/New_York',
          payload: {},
        });
        expect(input.GroupName, id).toBe(built.stateful.scheduleGroup.groupName);
        expect(input.Target!.DeadLetterConfig!.Arn, id).toMatch(
          imported(built.stateful.scheduleGroup.deadLetterQueue, 'Arn'),
        );
        expect(input.Target!.RetryPolicy!.MaximumRetryAttempts, id).toBeGreaterThan(0);
        expect(input.Target!.RetryPolicy!.MaximumEventAgeInSeconds, id).toBeGreaterThan(0);
        expect(input.FlexibleTimeWindow, id).toEqual({ Mode: 'OFF' });
        expect(input.ActionAfterCompletion, id).toBeUndefined();
      }
    }
  });

  it('gives every one-time schedule a function creates (from its environment) the dead-letter queue and a retry policy', () => {
    const schedulers = lambdas().filter(([, f]) => f.Properties.Environment.Variables.SCHEDULE_GROUP);
    expect(schedulers.length).toBe(FUNCTION_SPECS.filter((s) => s.schedulesJobs).length);
    for (const [id, fn] of schedulers) {
      const env = fn.Properties.Environment.Variables;
      const scheduler = new EventBridgeJobScheduler({} as SchedulerClient, {
        group: env.SCHEDULE_GROUP,
        roleArn: render(env.SCHEDULER_ROLE_ARN),
        deadLetterArn: render(env.SCHEDULER_DLQ_ARN),
        targets: JSON.parse(render(env.JOB_TARGETS)),
      });
      for (const target of Object.keys(JSON.parse(render(env.JOB_TARGETS))) as JobTarget[]) {
        const input = scheduler.scheduleInput({
          name: 'n',
          target,
          at: '2027-01-04T15:00:00.000Z',
          payload: {},
        });
        expect(input.GroupName, id).toBe(built.stateful.scheduleGroup.groupName);
        expect(input.Target!.DeadLetterConfig!.Arn, id).toMatch(
          imported(built.stateful.scheduleGroup.deadLetterQueue, 'Arn'),
        );
        expect(input.Target!.RoleArn, id).toMatch(imported(built.stateful.scheduleGroup.role, 'Arn'));
        expect(input.Target!.RetryPolicy!.MaximumRetryAttempts, id).toBeGreaterThan(0);
        expect(input.ActionAfterCompletion, id).toBe('DELETE');
      }
    }
  });

  it('has no .invalid placeholder anywhere', () => {
    for (const template of templates) expect(JSON.stringify(template.toJSON())).not.toMatch(/\.invalid\b/);
  });

  it("links every alerting function's alerts to the web app's distribution (no appBaseUrl is configured)", () => {
    const web = built.stateless.webApp!;
    for (const spec of FUNCTION_SPECS) {
      const env =
        built.statelessTemplate.findResources('AWS::Lambda::Function')[
          logicalId(built.stateless.functions.get(spec.name)!)
        ]!.Properties.Environment.Variables;
      if (spec.publishesCareTeam) {
        expect(render(env.APP_BASE_URL), spec.name).toBe(
          `https://<${logicalId(web.distribution)}.DomainName>`,
        );
      } else {
        expect(env.APP_BASE_URL, spec.name).toBeUndefined();
      }
    }
  });

  it('lets a signed-in staff member write only their name: programs (their authorization) only an administrator sets', () => {
    const clients = all('AWS::Cognito::UserPoolClient');
    expect(clients.length).toBeGreaterThan(0);
    for (const [id, { Properties: client }] of clients) {
      // left undefined, Cognito lets users write every attribute with UpdateUserAttributes
      expect(client.WriteAttributes, id).toEqual(['name']);
      expect(client.WriteAttributes, id).not.toContain(`custom:${PROGRAMS_ATTRIBUTE}`);
      expect(client.ReadAttributes, id).toContain(`custom:${PROGRAMS_ATTRIBUTE}`);
    }
    // programs stays mutable, by AdminUpdateUserAttributes
    const [pool] = Object.values(built.statefulTemplate.findResources('AWS::Cognito::UserPool'));
    expect(pool!.Properties.Schema).toContainEqual(
      expect.objectContaining({ Name: PROGRAMS_ATTRIBUTE, Mutable: true }),
    );
  });

  it('logs each API request as JSON: the JWT sub, route, path, status and request id, never a body', () => {
    const [stageResource] = Object.values(built.statelessTemplate.findResources('AWS::ApiGatewayV2::Stage'));
    const format = JSON.parse(stageResource!.Properties.AccessLogSettings.Format);
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format).toMatchObject({
      sub: '$context.authorizer.claims.sub',
      routeKey: '$context.routeKey',
      path: '$context.path',
      status: '$context.status',
      requestId: '$context.requestId',
    });
    for (const variable of Object.values(format) as string[]) {
      expect(variable).toMatch(/^\$context\.[\w.]+$/);
      expect(variable).not.toMatch(/body|header|querystring/i);
    }
  });
});

describe('prod protections', () => {
  let prod: SynthesizedCadence;
  let dev: SynthesizedCadence;
  beforeAll(() => {
    prod = shippedCadence('prod');
    dev = shippedCadence('dev');
  });

  it('protects both prod stacks from termination (dev stacks are disposable)', () => {
    expect(prod.stateful.terminationProtection).toBe(true);
    expect(prod.stateless.terminationProtection).toBe(true);
    expect(dev.stateful.terminationProtection).toBe(false);
    expect(dev.stateless.terminationProtection).toBe(false);
  });

  it('backs the prod table up daily with AWS Backup, kept 35 days, in a retained vault under the table key', () => {
    const [plan] = Object.values(prod.statefulTemplate.findResources('AWS::Backup::BackupPlan'));
    const rules = plan!.Properties.BackupPlan.BackupPlanRule;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      ScheduleExpression: `cron(0 ${TABLE_BACKUP.hourUtc} * * ? *)`,
      Lifecycle: { DeleteAfterDays: 35 },
    });
    expect(TABLE_BACKUP.retention.toDays()).toBe(35);
    const [selection] = Object.values(prod.statefulTemplate.findResources('AWS::Backup::BackupSelection'));
    expect(selection!.Properties.BackupSelection.Resources).toEqual([
      { 'Fn::GetAtt': [logicalId(prod.stateful.table), 'Arn'] },
    ]);
    const [vault] = Object.values(prod.statefulTemplate.findResources('AWS::Backup::BackupVault'));
    expect(vault!.DeletionPolicy).toBe('Retain');
    expect(vault!.Properties.EncryptionKeyArn).toEqual({
      'Fn::GetAtt': [logicalId(prod.stateful.tableKey), 'Arn'],
    });
    dev.statefulTemplate.resourceCountIs('AWS::Backup::BackupPlan', 0);
  });

  it('satisfies HIPAA.Security-DynamoDBInBackupPlan in prod instead of acknowledging it (dev acknowledges it)', () => {
    const acknowledged = (built: SynthesizedCadence) =>
      built.app.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
        .flatMap((m) => Object.keys(m.data as Record<string, string>));
    const backupRule = (ids: string[]) =>
      ids.filter((id) => id.endsWith('HIPAA.Security-DynamoDBInBackupPlan'));
    expect(backupRule(acknowledged(prod))).toEqual([]);
    expect(backupRule(acknowledged(dev))).toHaveLength(1);
    // compliance.test.ts: no unacknowledged finding in either stage, so prod's table passes the rule
  });

  it('turns deletion protection on for the prod table and user pool', () => {
    prod.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    prod.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'ACTIVE' });
    dev.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'INACTIVE' });
  });

  it('keeps the schedule group (every pending reminder) when either prod stack is deleted', () => {
    for (const built of [prod, dev]) {
      expect(built.statelessTemplate.findResources('AWS::Scheduler::ScheduleGroup')).toEqual({});
      const groups = Object.values(built.statefulTemplate.findResources('AWS::Scheduler::ScheduleGroup'));
      expect(groups).toHaveLength(1);
      const policy = built === prod ? 'Retain' : 'Delete';
      expect(groups[0]).toMatchObject({ DeletionPolicy: policy, UpdateReplacePolicy: policy });
    }
    // the role and queue the pending schedules name stay with them
    for (const construct of [prod.stateful.scheduleGroup.role, prod.stateful.scheduleGroup.deadLetterQueue]) {
      expect(prod.statefulTemplate.toJSON().Resources[logicalId(construct)]).toBeDefined();
    }
  });
});

describe('docs/deploy.md states what the templates hold', () => {
  const doc = readFileSync('docs/deploy.md', 'utf8');
  /** The data rows of the markdown table under `heading`, as cells. */
  const tableUnder = (heading: string) => {
    const section = doc.slice(doc.indexOf(`\n${heading}\n`) + heading.length + 2);
    const lines = section.split('\n');
    const start = lines.findIndex((l) => l.startsWith('|'));
    const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
    return lines.slice(start + 2, end).map((row) =>
      row
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  };
  const usd = (cell: string) => Number(cell.replace(/\*/g, ''));

  it.each(stages)('gives the real alarm count of the %s stage, and what they cost', (stage) => {
    const built = shippedCadence(stage);
    const alarms = [built.statefulTemplate, built.statelessTemplate].flatMap((t) =>
      Object.values(t.findResources('AWS::CloudWatch::Alarm')),
    );
    // CloudWatch bills a metric-math alarm per metric it reads
    const alarmMetrics = alarms.reduce(
      (n, a) =>
        n +
        (a.Properties.Metrics
          ? a.Properties.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).length
          : 1),
      0,
    );
    expect(doc).toContain(
      `Cadence creates **${alarms.length} alarms** (${alarmMetrics} alarm metrics) in each stage`,
    );
    const [row] = tableUnder('## Monthly cost').filter(([item]) => item === 'CloudWatch alarms');
    const price = PRICES.cloudwatchAlarms.perAlarmMetricMonth;
    expect(row![1]).toBe(`${alarms.length} alarms, ${alarmMetrics} metrics × USD ${price.toFixed(2)}`);
    expect(usd(row![2]!)).toBeCloseTo(alarmMetrics * price, 2);
  });

  it('prices the KMS keys the stateful stack holds, and Cognito Plus per monthly active user', () => {
    const keys = Object.keys(shippedCadence('prod').statefulTemplate.findResources('AWS::KMS::Key')).length;
    const rows = tableUnder('## Monthly cost');
    const kms = rows.find(([item]) => item === 'KMS keys')!;
    expect(kms[1]).toMatch(new RegExp(`^${keys} keys × USD ${PRICES.kms.perKeyMonth.toFixed(2)}`));
    expect(usd(kms[2]!)).toBeCloseTo(keys * PRICES.kms.perKeyMonth, 2);
    const cognito = rows.find(([item]) => item!.startsWith('Cognito user pool, **Plus** plan'))!;
    expect(cognito[1]).toContain(
      `USD ${PRICES.cognito.plusPerMonthlyActiveUser} per monthly active staff member`,
    );
    expect(cognito[1]).toContain(`(30 staff: ${(30 * PRICES.cognito.plusPerMonthlyActiveUser).toFixed(2)})`);
    const backup = rows.find(([item]) => item!.startsWith('AWS Backup'))!;
    const [, copies, gb] = /(\d+) × ([\d.]+) GB\)/.exec(backup[1]!)!;
    expect(Number(copies)).toBe(TABLE_BACKUP.retention.toDays());
    expect(usd(backup[2]!)).toBeCloseTo(Number(copies) * Number(gb) * PRICES.backup.dynamodbPerGbMonth, 2);
    // the total is the sum of the rows above it
    const total = rows.at(-1)!;
    expect(total[0]).toMatch(/^\*\*total/);
    const sum = rows.slice(0, -1).reduce((n, r) => n + usd(r[2]!), 0);
    expect(usd(total[2]!)).toBeCloseTo(sum, 2);
  });

  it('links nowhere outside the repository', () => {
    expect(doc).not.toMatch(/\]\(\.\.\//);
    expect(doc).not.toContain('shared/');
  });
});
