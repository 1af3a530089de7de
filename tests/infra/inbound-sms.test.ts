import { beforeAll, describe, expect, it } from 'vitest';
import { SMS_VOICE_SERVICE } from '../../infra/constructs/inbound-sms.ts';
import {
  imported,
  logicalId,
  render,
  resourcesFor,
  type SynthesizedCadence,
  shippedCadence,
  statementsOfRole,
} from './cadence-app.ts';

/** A statement of a rendered policy document, as far as these tests read it. */
interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Principal?: { Service?: string };
  Condition?: unknown;
  Resource: unknown;
}

let dev: SynthesizedCadence;
beforeAll(() => {
  dev = shippedCadence('dev');
});

describe('inbound SMS: topic, key, subscription, grants', () => {
  it('keeps replies in a topic of their own, encrypted with a key of its own that rotates', () => {
    const { topic, key } = dev.stateful.inboundSms;
    const topicResource = dev.statefulTemplate.findResources('AWS::SNS::Topic')[logicalId(topic)]!;
    expect(topicResource.Properties.TopicName).toBe('cadence-dev-inbound-sms');
    expect(render(topicResource.Properties.KmsMasterKeyId)).toBe(`<${logicalId(key)}.Arn>`);
    const keyResource = dev.statefulTemplate.findResources('AWS::KMS::Key')[logicalId(key)]!;
    expect(keyResource.Properties.EnableKeyRotation).toBe(true);
    // no other topic uses it
    const others = Object.entries(dev.statefulTemplate.findResources('AWS::SNS::Topic')).filter(
      ([id]) => id !== logicalId(topic),
    );
    for (const [, other] of others)
      expect(render(other.Properties.KmsMasterKeyId)).not.toBe(`<${logicalId(key)}.Arn>`);
  });

  it('lets only End User Messaging, from this account, publish to the topic and use its key; SSL only', () => {
    const { topic, key } = dev.stateful.inboundSms;
    const policies = Object.values(dev.statefulTemplate.findResources('AWS::SNS::TopicPolicy')).filter((p) =>
      (p.Properties.Topics as unknown[]).some((t) => render(t) === `<${logicalId(topic)}>`),
    );
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[],
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 'sns:Publish',
        Principal: { Service: SMS_VOICE_SERVICE },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        Resource: { Ref: logicalId(topic) },
      }),
    ]);
    expect(
      statements.some(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'),
      ),
    ).toBe(true);
    const keyPolicy = dev.statefulTemplate.findResources('AWS::KMS::Key')[logicalId(key)]!.Properties
      .KeyPolicy.Statement as PolicyStatementJson[];
    const forService = keyPolicy.filter((s) => s.Principal?.Service === SMS_VOICE_SERVICE);
    expect(forService).toEqual([
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        Resource: '*', // in a key policy, "*" is this key
      }),
    ]);
  });

  it('subscribes the inbound-sms function (Lambda protocol) and lets only that topic invoke it', () => {
    const fn = dev.stateless.functions.get('inbound-sms')!;
    const subscriptions = Object.values(dev.statelessTemplate.findResources('AWS::SNS::Subscription'));
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]!.Properties.Protocol).toBe('lambda');
    expect(render(subscriptions[0]!.Properties.TopicArn)).toMatch(imported(dev.stateful.inboundSms.topic));
    expect(render(subscriptions[0]!.Properties.Endpoint)).toBe(`<${logicalId(fn)}.Arn>`);
    const permissions = Object.values(dev.statelessTemplate.findResources('AWS::Lambda::Permission')).filter(
      (p) => render(p.Properties.FunctionName) === `<${logicalId(fn)}.Arn>`,
    );
    expect(permissions.map((p) => [p.Properties.Principal, render(p.Properties.SourceArn)])).toEqual([
      ['sns.amazonaws.com', expect.stringMatching(imported(dev.stateful.inboundSms.topic))],
    ]);
  });

  it('gives the inbound function OptInPhoneNumber, the SMS wake-up queue, the care-team topic, the table and scheduling: nothing on the inbound key', () => {
    const fn = dev.stateless.functions.get('inbound-sms')!;
    const statements = statementsOfRole(dev.statelessTemplate, logicalId(fn.executionRole));
    expect(resourcesFor(statements, 'sns:OptInPhoneNumber')).toEqual(['*']);
    // its answers (HELP, the opt-in confirmation) are queued for the drainer: no Publish to a number
    expect(resourcesFor(statements, 'sns:Publish')).toEqual([
      expect.stringMatching(/^<import:.*CareTeamTopic/),
    ]);
    expect(resourcesFor(statements, 'sqs:SendMessage')).toContainEqual(
      expect.stringMatching(imported(dev.stateful.smsQueues.wakeQueue, 'Arn')),
    );
    // SNS decrypts what it delivers: the function needs nothing of the inbound topic or its key
    expect(statements.flatMap((s) => s.resources).filter((r) => /Stateful:.*InboundSms/.test(r))).toEqual([]);
    expect(resourcesFor(statements, 'dynamodb:PutItem')).toHaveLength(1);
    expect(resourcesFor(statements, 'scheduler:CreateSchedule')).toEqual([
      'arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/cadence-dev/*',
    ]);
  });

  it('lets only the functions that opt numbers back in call OptInPhoneNumber', () => {
    const optingIn = [...dev.stateless.functions.entries()]
      .filter(
        ([, fn]) =>
          resourcesFor(
            statementsOfRole(dev.statelessTemplate, logicalId(fn.executionRole)),
            'sns:OptInPhoneNumber',
          ).length > 0,
      )
      .map(([name]) => name)
      .sort();
    expect(optingIn).toEqual(['api', 'inbound-sms']);
  });
});
