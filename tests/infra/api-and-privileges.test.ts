import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '../../functions/adapters/dynamodb/table-definition.ts';
import { routes } from '../../functions/handlers/api/routes.ts';
import { FUNCTION_SPECS } from '../../infra/functions.ts';
import {
  logicalId,
  render,
  resourcesFor,
  type SynthesizedCadence,
  statementsOfRole,
  synthCadence,
} from './cadence-app.ts';

let dev: SynthesizedCadence;
beforeAll(() => {
  dev = synthCadence('dev');
});

describe('staff API', () => {
  it('has one route per API route, every one behind the Cognito JWT authorizer', () => {
    const apiRoutes = Object.values(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Route'));
    expect(apiRoutes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      routes.map((r) => `${r.method} ${r.path}`).sort(),
    );
    const authorizers = Object.values(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]!.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    for (const route of apiRoutes) expect(route.Properties.AuthorizationType).toBe('JWT');
  });

  it('logs access to an encrypted log group and throttles the default stage', () => {
    const stage = Object.values(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 20,
      ThrottlingBurstLimit: 40,
    });
    expect(render(stage.Properties.AccessLogSettings.DestinationArn)).toMatch(
      /^<StaffApiAccessLogs.*\.Arn>$/,
    );
    const logGroupId = render(stage.Properties.AccessLogSettings.DestinationArn).slice(1, -5);
    expect(
      dev.statelessTemplate.findResources('AWS::Logs::LogGroup')[logGroupId]!.Properties.KmsKeyId,
    ).toBeDefined();
  });

  it('signs staff in with MFA, no self sign-up, groups clinician and admin, and a programs attribute', () => {
    const pools = Object.values(dev.statelessTemplate.findResources('AWS::Cognito::UserPool'));
    expect(pools).toHaveLength(1);
    expect(pools[0]!.Properties).toMatchObject({
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    expect(pools[0]!.Properties.Schema).toContainEqual(
      expect.objectContaining({ Name: 'programs', Mutable: true }),
    );
    const groups = Object.values(dev.statelessTemplate.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName,
    );
    expect(groups.sort()).toEqual(['admin', 'clinician']);
  });
});

describe('least privilege, for every function', () => {
  const itemActions = [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ];

  it.each(FUNCTION_SPECS.map((s) => [s.name, s] as const))(
    '%s gets exactly what its code calls',
    (_name, spec) => {
      const fn = dev.stateless.functions.get(spec.name)!;
      const statements = statementsOfRole(dev.statelessTemplate, logicalId(fn.executionRole));
      const allowed = (prefix: string) =>
        statements.filter((s) => s.actions.some((a) => a.startsWith(prefix)));

      // DynamoDB: the item actions on the table, Query on its indexes; nothing else anywhere
      const tableArn = resourcesFor(statements, 'dynamodb:GetItem')[0]!;
      expect(tableArn).toMatch(/^<import:.*Table.*Arn/);
      const dynamo = allowed('dynamodb:');
      expect(
        dynamo
          .filter((s) => s.resources.every((r) => r === tableArn))
          .flatMap((s) => s.actions)
          .sort(),
      ).toEqual(
        spec.table === 'readWrite'
          ? itemActions
          : expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']),
      );
      const indexArns = TABLE_DEFINITION.globalIndexes.map((i) => `${tableArn}/index/${i.indexName}`);
      for (const s of dynamo.filter((x) => !x.resources.every((r) => r === tableArn))) {
        expect(s).toEqual({ effect: 'Allow', actions: ['dynamodb:Query'], resources: indexArns });
      }

      // Scheduler: only functions that schedule, only in the group, PassRole only on the scheduler role
      const scheduler = allowed('scheduler:');
      if (spec.schedulesJobs) {
        expect(scheduler.flatMap((s) => s.resources)).toEqual([
          'arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/cadence-dev/*',
        ]);
        expect(resourcesFor(statements, 'iam:PassRole')).toEqual([
          `<${logicalId(dev.stateless.jobScheduling.role)}.Arn>`,
        ]);
      } else {
        expect(scheduler).toEqual([]);
        expect(resourcesFor(statements, 'iam:PassRole')).toEqual([]);
      }

      // SNS: the care-team topic by ARN; phone numbers (Resource "*") only for SMS senders
      const publish = resourcesFor(statements, 'sns:Publish');
      const topics = publish.filter((r) => r !== '*');
      expect(topics).toEqual(
        spec.publishesCareTeam ? [expect.stringMatching(/^<import:.*CareTeamTopic/)] : [],
      );
      expect(publish.includes('*')).toBe(spec.publishesSms === true);

      // Resource "*" only where AWS has no narrower resource: X-Ray, and SMS to a phone number
      const anywhere = statements
        .filter((s) => s.resources.includes('*'))
        .flatMap((s) => s.actions)
        .sort();
      const expected = [
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
        ...(spec.publishesSms ? ['sns:CheckIfPhoneNumberIsOptedOut', 'sns:Publish'] : []),
      ];
      expect(anywhere).toEqual(expected.sort());

      // KMS only on the stack's own keys
      for (const r of statements
        .filter((s) => s.actions.some((a) => a.startsWith('kms:')))
        .flatMap((s) => s.resources)) {
        expect(r).toMatch(/Key|Arn>/);
        expect(r).not.toBe('*');
      }
    },
  );
});

describe('operations', () => {
  it('alarms ops on errors, throttles, dead letters and unconfirmed sends of every function, and on SMS spend and failures', () => {
    const alarms = Object.values(dev.statelessTemplate.findResources('AWS::CloudWatch::Alarm'));
    const opsActions = (a: (typeof alarms)[number]) => (a.Properties.AlarmActions as unknown[]).map(render);
    for (const a of alarms) expect(opsActions(a)[0]).toMatch(/^<import:.*OpsTopic/);
    const metrics = alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    const functions = FUNCTION_SPECS.length;
    expect(metrics.filter((m) => m === 'AWS/Lambda/Errors')).toHaveLength(functions);
    expect(metrics.filter((m) => m === 'AWS/Lambda/Throttles')).toHaveLength(functions);
    expect(metrics.filter((m) => m === 'Cadence/UnconfirmedSmsSends')).toHaveLength(functions);
    expect(metrics).toContain('AWS/SNS/SMSMonthToDateSpentUSD');
    expect(metrics).toContain('AWS/SNS/SMSSuccessRate');
    expect(metrics.filter((m) => m === 'AWS/SQS/ApproximateNumberOfMessagesVisible').length).toBeGreaterThan(
      functions,
    );
  });
});
