import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '../../functions/adapters/dynamodb/table-definition.ts';
import { routes } from '../../functions/handlers/api/routes.ts';
import { POWERTOOLS_ENVIRONMENT, TABLE_ACTIONS } from '../../infra/constructs/cadence-function.ts';
import { FUNCTION_SPECS } from '../../infra/functions.ts';
import {
  imported,
  logicalId,
  render,
  resourcesFor,
  type SynthesizedCadence,
  shippedCadence,
  statementsOfRole,
} from './cadence-app.ts';

let dev: SynthesizedCadence;
beforeAll(() => {
  dev = shippedCadence('dev');
});

/** The Lambda function resource of a deployed function. */
const lambdaOf = (name: (typeof FUNCTION_SPECS)[number]['name']) =>
  dev.statelessTemplate.findResources('AWS::Lambda::Function')[
    logicalId(dev.stateless.functions.get(name)!)
  ]!;

/**
 * The DynamoDB item actions the adapters' source sends (functions/adapters/dynamodb, without the
 * local-only table setup): document-client commands, and the items inside TransactWriteItems, which
 * IAM authorizes one by one. An unknown command fails here until it is mapped to its action.
 */
function dynamoActionsInAdapters(): string[] {
  const dir = 'functions/adapters/dynamodb';
  const localOnly = new Set(['dynamo-local.ts', 'table-definition.ts']);
  const byCommand: Record<string, string> = {
    GetCommand: 'GetItem',
    PutCommand: 'PutItem',
    UpdateCommand: 'UpdateItem',
    DeleteCommand: 'DeleteItem',
    QueryCommand: 'Query',
    BatchWriteCommand: 'BatchWriteItem',
    BatchGetCommand: 'BatchGetItem',
    ScanCommand: 'Scan',
  };
  const byTransactItem: Record<string, string> = {
    Put: 'PutItem',
    Update: 'UpdateItem',
    Delete: 'DeleteItem',
    ConditionCheck: 'ConditionCheckItem',
  };
  const actions = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !localOnly.has(f))) {
    const source = readFileSync(`${dir}/${file}`, 'utf8');
    for (const [, command] of source.matchAll(/new (\w+Command)\(/g)) {
      if (command === 'TransactWriteCommand') continue;
      const action = byCommand[command!];
      if (!action) throw new Error(`${file} sends ${command}: map it to its IAM action in this test`);
      actions.add(`dynamodb:${action}`);
    }
    if (source.includes('TransactWriteCommand')) {
      for (const [, item] of source.matchAll(/\b(Put|Update|Delete|ConditionCheck): \{/g)) {
        actions.add(`dynamodb:${byTransactItem[item!]}`);
      }
    }
  }
  return [...actions].sort();
}

describe('staff API', () => {
  it('has one route per API route, and its twin under /api (CloudFront forwards /api/*), every one behind the Cognito JWT authorizer', () => {
    const apiRoutes = Object.values(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Route'));
    expect(apiRoutes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      routes.flatMap((r) => [`${r.method} ${r.path}`, `${r.method} /api${r.path}`]).sort(),
    );
    const authorizers = Object.values(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]!.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    for (const route of apiRoutes) expect(route.Properties.AuthorizationType).toBe('JWT');
  });

  it("accepts only tokens the staff user pool issued to the dashboard client or the web app's", () => {
    const [authorizer] = Object.values(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Authorizer'));
    const { Issuer, Audience } = authorizer!.Properties.JwtConfiguration;
    // the pool and its client live in the stateful stack: staff accounts outlive deployments
    const exported = (construct: Parameters<typeof logicalId>[0]) =>
      `<import:Cadence-dev-Stateful:ExportsOutputRef${logicalId(construct)}`;
    expect(render(Issuer)).toMatch(
      `https://cognito-idp.<AWS::Region>.amazonaws.com/${exported(dev.stateful.staff.userPool)}`,
    );
    expect(Audience).toHaveLength(2);
    expect(render(Audience[0])).toMatch(exported(dev.stateful.staff.client));
    expect(render(Audience[1])).toBe(`<${logicalId(dev.stateless.webApp!.client)}>`);
  });

  it('puts custom:programs into the ID token, and lets no user change their own programs', () => {
    const [client] = Object.values(dev.statefulTemplate.findResources('AWS::Cognito::UserPoolClient'));
    expect(client!.Properties.ReadAttributes).toContain('custom:programs');
    expect(client!.Properties.WriteAttributes).toEqual(['name']);
  });

  it('routes every request to the api function', () => {
    const integrations = Object.values(dev.statelessTemplate.findResources('AWS::ApiGatewayV2::Integration'));
    expect(integrations).toHaveLength(1);
    expect(render(integrations[0]!.Properties.IntegrationUri)).toBe(
      `<${logicalId(dev.stateless.functions.get('api')!)}.Arn>`,
    );
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
    const pools = Object.values(dev.statefulTemplate.findResources('AWS::Cognito::UserPool'));
    expect(pools).toHaveLength(1);
    expect(pools[0]!.Properties).toMatchObject({
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    expect(pools[0]!.Properties.Schema).toContainEqual(
      expect.objectContaining({ Name: 'programs', Mutable: true }),
    );
    const groups = Object.values(dev.statefulTemplate.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties.GroupName,
    );
    expect(groups.sort()).toEqual(['admin', 'clinician']);
  });
});

describe('least privilege, for every function', () => {
  it('grants read-write functions exactly the item actions the DynamoDB adapters send', () => {
    expect([...TABLE_ACTIONS.readWrite].sort()).toEqual(dynamoActionsInAdapters());
    expect(TABLE_ACTIONS.read).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
  });

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
      ).toEqual([...TABLE_ACTIONS[spec.table]].sort());
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
        const passable = resourcesFor(statements, 'iam:PassRole');
        expect(passable).toHaveLength(1);
        expect(passable[0]).toMatch(imported(dev.stateful.scheduleGroup.role, 'Arn'));
      } else {
        expect(scheduler).toEqual([]);
        expect(resourcesFor(statements, 'iam:PassRole')).toEqual([]);
      }

      // SNS: the care-team topic by ARN; phone numbers (Resource "*") only for SMS senders (the drainer)
      const publish = resourcesFor(statements, 'sns:Publish');
      const topics = publish.filter((r) => r !== '*');
      expect(topics).toEqual(
        spec.publishesCareTeam ? [expect.stringMatching(/^<import:.*CareTeamTopic/)] : [],
      );
      expect(publish.includes('*')).toBe(spec.publishesSms === true);

      // Resource "*" only where AWS has no narrower resource: X-Ray, and SNS's phone-number actions
      const anywhere = statements
        .filter((s) => s.resources.includes('*'))
        .flatMap((s) => s.actions)
        .sort();
      const expected = [
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
        ...(spec.publishesSms ? ['sns:Publish'] : []),
        ...(spec.publishesSms || spec.optsInPhoneNumbers ? ['sns:CheckIfPhoneNumberIsOptedOut'] : []),
        ...(spec.optsInPhoneNumbers ? ['sns:OptInPhoneNumber'] : []),
      ];
      expect(anywhere).toEqual(expected.sort());

      // KMS only on the stateful stack's keys: the table's, and the messaging key of the dead-letter
      // queue and the topics; the log groups' key is used by CloudWatch Logs, not by the function
      const kms = statements.filter((s) => s.actions.some((a) => a.startsWith('kms:')));
      const keyOf = (s: (typeof kms)[number]) =>
        /^<import:Cadence-dev-Stateful:ExportsOutputFnGetAtt(TableKey|MessagingKey)[0-9A-F]{8}Arn\w+>$/.exec(
          s.resources.join(),
        )?.[1];
      for (const s of kms) expect(s.resources).toHaveLength(1);
      const keyActions = (key: string) =>
        [...new Set(kms.filter((s) => keyOf(s) === key).flatMap((s) => s.actions))].sort();
      expect(kms.every((s) => keyOf(s))).toBe(true);
      expect(keyActions('TableKey')).toEqual(
        spec.table === 'readWrite'
          ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']
          : ['kms:Decrypt', 'kms:DescribeKey'],
      );
      expect(keyActions('MessagingKey')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);

      // Nothing else: logs only to its own log group; dead letters to its own queue, wake-ups to the
      // SMS wake-up queue (SMS queuers), given-up SMS to the SMS dead-letter queue (the drainer alone)
      const known = /^(dynamodb|scheduler|iam:PassRole|sns|kms|xray|logs|sqs:SendMessage$)/;
      const consume = [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ];
      expect(statements.flatMap((s) => s.actions).filter((a) => !known.test(a))).toEqual(
        spec.drainsSmsQueue ? consume : [],
      );
      for (const s of statements.filter((x) => x.actions.some((a) => consume.includes(a))))
        expect(s.resources.map((r) => imported(dev.stateful.smsQueues.wakeQueue, 'Arn').test(r))).toEqual([
          true,
        ]);
      expect(resourcesFor(statements, 'logs:PutLogEvents')).toEqual([`<${logicalId(fn.logGroup)}.Arn>`]);
      for (const s of allowed('logs:')) expect(s.resources).toEqual([`<${logicalId(fn.logGroup)}.Arn>`]);
      const { wakeQueue, deadLetterQueue } = dev.stateful.smsQueues;
      const sendsTo = [
        `<${logicalId(fn.deadLetters)}.Arn>`,
        ...(spec.queuesSms ? [expect.stringMatching(imported(wakeQueue, 'Arn'))] : []),
        ...(spec.drainsSmsQueue ? [expect.stringMatching(imported(deadLetterQueue, 'Arn'))] : []),
      ];
      const sent = resourcesFor(statements, 'sqs:SendMessage');
      expect(sent).toHaveLength(sendsTo.length);
      expect(sent).toEqual(expect.arrayContaining(sendsTo));
    },
  );
});

describe('observability, for every function', () => {
  it.each(FUNCTION_SPECS.map((s) => s.name))(
    '%s gets the Powertools service name and metrics namespace, and never traces responses',
    (name) => {
      expect(lambdaOf(name).Properties.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'cadence',
        POWERTOOLS_METRICS_NAMESPACE: 'Cadence',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      });
      expect(POWERTOOLS_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE).toBe('Cadence');
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
    // the one function that logs unconfirmed sends (the daily sweep) has the alarm on them
    expect(metrics.filter((m) => m === 'Cadence/UnconfirmedSmsSends')).toHaveLength(1);
    expect(metrics).toContain('AWS/SNS/SMSMonthToDateSpentUSD');
    const mathMetrics = alarms.flatMap((a) =>
      (
        (a.Properties.Metrics ?? []) as {
          MetricStat?: { Metric: { Namespace: string; MetricName: string } };
        }[]
      )
        .filter((m) => m.MetricStat)
        .map((m) => `${m.MetricStat!.Metric.Namespace}/${m.MetricStat!.Metric.MetricName}`),
    );
    expect(mathMetrics).toContain('AWS/SNS/NumberOfNotificationsFailed');
    expect(metrics.filter((m) => m === 'AWS/SQS/ApproximateNumberOfMessagesVisible').length).toBeGreaterThan(
      functions,
    );
  });
});
