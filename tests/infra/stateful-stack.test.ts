import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, TABLE_DEFINITION } from '../../functions/adapters/dynamodb/table-definition.ts';
import { parseStageConfig, STAGE_CONFIGS } from '../../infra/config.ts';
import { logicalId, type SynthesizedCadence, synthCadence } from './cadence-app.ts';

let dev: SynthesizedCadence;
let prod: SynthesizedCadence;

beforeAll(() => {
  dev = synthCadence('dev');
  prod = synthCadence('prod', {
    config: parseStageConfig({ ...STAGE_CONFIGS.prod, careTeamEmails: ['intake@clinic.example'] }, 'prod'),
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

  it('subscribes the configured clinicians to the care-team topic by e-mail', () => {
    prod.statefulTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'intake@clinic.example',
      TopicArn: { Ref: logicalId(prod.stateful.careTeamTopic) },
    });
    dev.statefulTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
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
