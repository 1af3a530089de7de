import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Match } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { SnsCareTeamNotifier } from '../../functions/adapters/aws/sns-notifier.adapter.ts';
import { createTableInput, TABLE_DEFINITION } from '../../functions/adapters/dynamodb/table-definition.ts';
import type { CareTeamAlert } from '../../functions/ports/notifier.port.ts';
import { parseStageConfig, STAGE_CONFIGS } from '../../infra/config.ts';
import { logicalId, type SynthesizedCadence, shippedCadence, synthCadence } from './cadence-app.ts';

let dev: SynthesizedCadence;
let prod: SynthesizedCadence;
/** prod with three care-team members of two programs. */
let clinic: SynthesizedCadence;

beforeAll(() => {
  dev = shippedCadence('dev');
  prod = shippedCadence('prod');
  clinic = synthCadence('prod', {
    config: parseStageConfig(
      {
        ...STAGE_CONFIGS.prod,
        careTeam: [
          { email: 'lee@clinic.example', programs: ['sunrise'] },
          { email: 'kim@clinic.example', programs: ['harbor'] },
          { email: 'director@clinic.example', programs: ['sunrise', 'harbor'] },
        ],
      },
      'prod',
    ),
  });
});

const sortByName = <T extends { AttributeName?: string; IndexName?: string }>(items: T[]) =>
  [...items].sort((a, b) =>
    String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)),
  );

describe('stateful stack: the table', () => {
  it('has the keys and indexes of TABLE_DEFINITION, the same table the tests and local runtime create', () => {
    const expected = createTableInput('any');
    const table = Object.values(dev.statefulTemplate.findResources('AWS::DynamoDB::Table'))[0]!;
    expect(table.Properties.KeySchema).toEqual(expected.KeySchema);
    expect(sortByName(table.Properties.AttributeDefinitions)).toEqual(
      sortByName(expected.AttributeDefinitions!),
    );
    expect(sortByName(table.Properties.GlobalSecondaryIndexes)).toEqual(
      sortByName(expected.GlobalSecondaryIndexes!),
    );
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('expires items by the TTL attribute and keeps point-in-time recovery on', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is encrypted with its own customer-managed key, which rotates', () => {
    const keyId = logicalId(dev.stateful.tableKey);
    dev.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
    });
    const keys = Object.values(dev.statefulTemplate.findResources('AWS::KMS::Key'));
    for (const key of keys) expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it('is retained, with deletion protection, in prod, and destroyed with a dev stack', () => {
    prod.statefulTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    for (const key of Object.values(prod.statefulTemplate.findResources('AWS::KMS::Key'))) {
      expect(key.DeletionPolicy).toBe('Retain');
    }
    dev.statefulTemplate.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('stateful stack: topics', () => {
  it('encrypts the care-team and ops topics with the messaging key and refuses plain HTTP', () => {
    const keyArn = { 'Fn::GetAtt': [logicalId(dev.stateful.messagingKey), 'Arn'] };
    for (const [topic, name] of [
      [dev.stateful.careTeamTopic, 'cadence-dev-care-team'],
      [dev.stateful.opsTopic, 'cadence-dev-ops'],
    ] as const) {
      dev.statefulTemplate.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: name,
        KmsMasterKeyId: keyArn,
      });
      dev.statefulTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: logicalId(topic) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it("subscribes each care-team member by e-mail to their own programs' alerts only", () => {
    const careTeamTopic = { Ref: logicalId(clinic.stateful.careTeamTopic) };
    const subscriptions = Object.values(
      clinic.statefulTemplate.findResources('AWS::SNS::Subscription', {
        Properties: { TopicArn: careTeamTopic },
      }),
    ).map((s) => [s.Properties.Endpoint, s.Properties.Protocol, s.Properties.FilterPolicy]);
    expect(subscriptions.sort()).toEqual(
      [
        ['director@clinic.example', 'email', { program: ['sunrise', 'harbor'] }],
        ['kim@clinic.example', 'email', { program: ['harbor'] }],
        ['lee@clinic.example', 'email', { program: ['sunrise'] }],
      ].sort(),
    );
    // the filter policy applies to message attributes, where the notifier puts `program`
    for (const s of Object.values(clinic.statefulTemplate.findResources('AWS::SNS::Subscription'))) {
      expect(s.Properties.FilterPolicyScope ?? 'MessageAttributes').toBe('MessageAttributes');
    }
    dev.statefulTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('filters on the attribute the notifier publishes: program, a String holding the program id', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const alert = { programId: 'harbor', severity: 'warning', subject: 's', body: 'b' };
    await new SnsCareTeamNotifier(sns as unknown as SNSClient, 'arn:aws:sns:us-east-1:1:t').alert(
      alert as unknown as CareTeamAlert,
    );
    const [publish] = sns.commandCalls(PublishCommand);
    expect(publish!.args[0].input.MessageAttributes?.program).toEqual({
      DataType: 'String',
      StringValue: 'harbor',
    });
    sns.restore();
  });

  it('subscribes the ops addresses to the ops topic without a filter', () => {
    prod.statefulTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@clinic.example',
      TopicArn: { Ref: logicalId(prod.stateful.opsTopic) },
      FilterPolicy: Match.absent(),
    });
  });

  it('lets CloudWatch alarms publish to the encrypted ops topic', () => {
    const key = dev.statefulTemplate.findResources('AWS::KMS::Key')[logicalId(dev.stateful.messagingKey)];
    expect(key?.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      }),
    );
  });
});

describe('stateful stack: staff accounts', () => {
  it('keeps the staff user pool here, retained in prod, so redeploying or deleting the API keeps the accounts', () => {
    prod.statefulTemplate.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ UserPoolName: 'cadence-prod-staff' }),
    });
    dev.statefulTemplate.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete' });
    expect(prod.statelessTemplate.findResources('AWS::Cognito::UserPool')).toEqual({});
  });

  it('runs threat protection in full-function mode, on the Plus feature plan', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });
});
