import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** AWS End User Messaging SMS (two-way messaging) publishes inbound SMS as this service. */
export const SMS_VOICE_SERVICE = 'sms-voice.amazonaws.com';

export interface InboundSmsTopicProps {
  readonly stage: string;
  /** RETAIN in prod, DESTROY in dev. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The topic AWS End User Messaging SMS two-way messaging publishes every client's reply to, with a
 * key of its own: a reply carries the client's number and words, so only this topic's key can read
 * it, and only End User Messaging (from this account) may publish to it or use that key.
 * docs/deploy.md explains how to point the origination number's two-way setting at it.
 */
export class InboundSmsTopic extends Construct {
  public readonly topic: Topic;
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: InboundSmsTopicProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    this.key = new Key(this, 'Key', {
      alias: `alias/cadence-${props.stage}/inbound-sms`,
      description: 'Cadence inbound SMS topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': account } };
    this.key.grant(
      new ServicePrincipal(SMS_VOICE_SERVICE).withConditions(fromThisAccount),
      'kms:GenerateDataKey',
      'kms:Decrypt',
    );
    this.topic = new Topic(this, 'Topic', {
      topicName: `cadence-${props.stage}-inbound-sms`,
      displayName: 'Cadence inbound SMS',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EndUserMessagingPublishesReplies',
        principals: [new ServicePrincipal(SMS_VOICE_SERVICE)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccount,
      }),
    );
  }
}

/**
 * Subscribes the inbound function to the topic. SNS invokes it asynchronously: Lambda retries a
 * failed event twice, then keeps it in the function's dead-letter queue (nothing is retried
 * forever); the function drops a malformed message itself. The subscription lives in the
 * function's stack, the invoke permission names this topic only.
 */
export function subscribeToInboundSms(fn: IFunction, topic: ITopic): void {
  topic.addSubscription(new LambdaSubscription(fn));
}
