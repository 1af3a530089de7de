import { readFileSync } from 'node:fs';
import { Duration } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEASE_MINUTES } from '../../functions/use-cases/sms-queue.ts';
import { loadStageConfig } from '../../infra/config.ts';
import {
  SMS_DEAD_LETTER_RETENTION,
  SMS_WAKE_MAX_RECEIVES,
  SMS_WAKE_VISIBILITY,
} from '../../infra/constructs/sms-queues.ts';
import { DRAIN_SMS_TIMEOUT, FUNCTION_SPECS, type FunctionName } from '../../infra/functions.ts';
import {
  imported,
  logicalId,
  render,
  resourcesFor,
  type SynthesizedCadence,
  shippedCadence,
  statementsOfRole,
} from './cadence-app.ts';

/** Paced sending (issue 16): the queues, the drainer and who may do what, in both shipped stages. */

const stages = ['dev', 'prod'] as const;
/** The functions that text clients before paced sending; their SMS now wait for the drainer. */
const TEXTING = ['send-reminder', 'check-attendance', 'draw-screens', 'check-screen', 'api', 'inbound-sms'];

describe.each(stages)('paced sending in the %s stage', (stage) => {
  let built: SynthesizedCadence;
  const queue = (construct: Parameters<typeof logicalId>[0]) =>
    built.statefulTemplate.findResources('AWS::SQS::Queue')[logicalId(construct)]!;
  const lambda = (name: FunctionName) =>
    built.statelessTemplate.findResources('AWS::Lambda::Function')[
      logicalId(built.stateless.functions.get(name)!)
    ]!;
  const statementsOf = (name: FunctionName) =>
    statementsOfRole(built.statelessTemplate, logicalId(built.stateless.functions.get(name)!.executionRole));
  const messagingKeyArn = () => ({ 'Fn::GetAtt': [logicalId(built.stateful.messagingKey), 'Arn'] });

  beforeAll(() => {
    built = shippedCadence(stage);
  });

  it('wakes drainers through a FIFO queue under the messaging key, SSL only, with a FIFO dead-letter queue', () => {
    const { wakeQueue, wakeDeadLetterQueue } = built.stateful.smsQueues;
    const wake = queue(wakeQueue);
    expect(wake.Properties).toMatchObject({
      QueueName: `cadence-${stage}-sms-wake.fifo`,
      FifoQueue: true,
      KmsMasterKeyId: messagingKeyArn(),
      MessageRetentionPeriod: Duration.days(4).toSeconds(),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(wakeDeadLetterQueue), 'Arn'] },
        maxReceiveCount: SMS_WAKE_MAX_RECEIVES,
      },
    });
    // every wake-up carries its own deduplication id: content-based deduplication would fold them
    expect(wake.Properties.ContentBasedDeduplication ?? false).toBe(false);
    expect(queue(wakeDeadLetterQueue).Properties).toMatchObject({
      QueueName: `cadence-${stage}-sms-wake-dead-letters.fifo`,
      FifoQueue: true,
      KmsMasterKeyId: messagingKeyArn(),
      MessageRetentionPeriod: SMS_DEAD_LETTER_RETENTION.toSeconds(),
    });
    for (const q of [wakeQueue, wakeDeadLetterQueue, built.stateful.smsQueues.deadLetterQueue])
      expect(sslOnly(built, logicalId(q)), logicalId(q)).toBe(true);
  });

  it("keeps a wake-up invisible longer than the drainer may run, and longer than a dead drainer's lease", () => {
    const visibility = queue(built.stateful.smsQueues.wakeQueue).Properties.VisibilityTimeout;
    expect(visibility).toBe(SMS_WAKE_VISIBILITY.toSeconds());
    const drainer = lambda('drain-sms');
    expect(drainer.Properties.Timeout).toBe(DRAIN_SMS_TIMEOUT.toSeconds());
    expect(visibility).toBeGreaterThanOrEqual(drainer.Properties.Timeout);
    expect(visibility).toBeGreaterThan(LEASE_MINUTES * 60);
  });

  it('keeps given-up SMS in a standard queue under the messaging key for 14 days, and alarms ops on any', () => {
    const { deadLetterQueue } = built.stateful.smsQueues;
    const given = queue(deadLetterQueue);
    expect(given.Properties).toMatchObject({
      QueueName: `cadence-${stage}-sms-dead-letter`,
      KmsMasterKeyId: messagingKeyArn(),
      MessageRetentionPeriod: Duration.days(14).toSeconds(),
    });
    expect(given.Properties.FifoQueue).toBeUndefined();
    const alarms = Object.values(built.statelessTemplate.findResources('AWS::CloudWatch::Alarm'));
    for (const [q, name] of [
      [deadLetterQueue, `cadence-${stage}-sms-dead-letters`],
      [built.stateful.smsQueues.wakeDeadLetterQueue, `cadence-${stage}-sms-wake-dead-letters`],
    ] as const) {
      const watching = alarms.filter(
        (a) =>
          a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          imported(q, 'QueueName').test(render(a.Properties.Dimensions[0].Value)),
      );
      expect(watching, name).toHaveLength(1);
      expect(watching[0]!.Properties).toMatchObject({
        AlarmName: name,
        Namespace: 'AWS/SQS',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(render(watching[0]!.Properties.AlarmActions[0])).toMatch(imported(built.stateful.opsTopic));
    }
  });

  it('invokes drain-sms from the wake-up queue, 10 at a time, retrying only the wake-ups it reports failed', () => {
    const mappings = Object.values(built.statelessTemplate.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toMatchObject({
      FunctionName: { Ref: logicalId(built.stateless.functions.get('drain-sms')!) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(render(mappings[0]!.Properties.EventSourceArn)).toMatch(
      imported(built.stateful.smsQueues.wakeQueue, 'Arn'),
    );
  });

  it('lets drain-sms alone publish to phone numbers', () => {
    const publishers = FUNCTION_SPECS.filter((s) =>
      resourcesFor(statementsOf(s.name), 'sns:Publish').includes('*'),
    ).map((s) => s.name);
    expect(publishers).toEqual(['drain-sms']);
    // and only it learns the sender and price settings
    for (const spec of FUNCTION_SPECS) {
      const env = lambda(spec.name).Properties.Environment.Variables;
      expect(env.SMS_MAX_PRICE !== undefined, spec.name).toBe(spec.name === 'drain-sms');
    }
    expect(lambda('drain-sms').Properties.Environment.Variables).toMatchObject({
      SMS_MAX_PRICE: String(loadStageConfig(stage).config.sms.maxPriceUsd),
      ...(stage === 'prod' ? { SMS_ORIGINATION_NUMBER: '+18335550100' } : {}),
    });
  });

  it.each([...TEXTING, 'drain-sms'])(
    '%s queues its SMS: SendMessage on the wake-up queue, its key, and the pacing settings',
    (name) => {
      const spec = FUNCTION_SPECS.find((s) => s.name === name)!;
      expect(spec.queuesSms).toBe(true);
      expect(spec.publishesSms === true).toBe(name === 'drain-sms');
      const statements = statementsOf(name as FunctionName);
      const { wakeQueue, deadLetterQueue } = built.stateful.smsQueues;
      const sendsTo = resourcesFor(statements, 'sqs:SendMessage');
      expect(sendsTo.filter((r) => imported(wakeQueue, 'Arn').test(r))).toHaveLength(1);
      expect(sendsTo.some((r) => imported(deadLetterQueue, 'Arn').test(r))).toBe(name === 'drain-sms');
      expect(
        statements.filter(
          (s) => s.actions.includes('kms:GenerateDataKey') && s.resources.some((r) => /MessagingKey/.test(r)),
        ),
      ).not.toEqual([]);
      const env = lambda(name as FunctionName).Properties.Environment.Variables;
      expect(render(env.SMS_QUEUE_URL)).toMatch(imported(wakeQueue));
      expect(render(env.SMS_DEAD_LETTER_URL)).toMatch(imported(deadLetterQueue));
      expect(env.SMS_PER_SECOND).toBe(String(loadStageConfig(stage).config.sms.perSecond));
      // the shipped configs have no pool: the variable is left out and the adapters default to none
      expect(env.SMS_ORIGINATION_POOL).toBeUndefined();
    },
  );

  it('gives the pacing settings and the wake-up queue to no function that does not text', () => {
    const others = FUNCTION_SPECS.filter((s) => !s.queuesSms);
    expect(others.map((s) => s.name).sort()).toEqual(['escalate-flag', 'generate-week', 'sweep-engagement']);
    for (const spec of others) {
      const env = lambda(spec.name).Properties.Environment.Variables;
      expect(env.SMS_QUEUE_URL, spec.name).toBeUndefined();
      const sendsTo = resourcesFor(statementsOf(spec.name), 'sqs:SendMessage');
      expect(sendsTo, spec.name).toEqual([
        `<${logicalId(built.stateless.functions.get(spec.name)!.deadLetters)}.Arn>`,
      ]);
    }
  });

  it('lets the scheduler invoke drain-sms, which schedules its own later wake-ups', () => {
    const env = lambda('drain-sms').Properties.Environment.Variables;
    expect(Object.keys(JSON.parse(render(env.JOB_TARGETS)))).toEqual(['drain-sms']);
    const invokable = resourcesFor(
      statementsOfRole(built.statefulTemplate, logicalId(built.stateful.scheduleGroup.role)),
      'lambda:InvokeFunction',
    );
    expect(invokable).toContain(
      `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:cadence-${stage}-drain-sms`,
    );
  });
});

describe('paced sending: what the functions send where', () => {
  it('queues without a schedule: queueSms wakes the drainer now (the queue), only the drainer wakes later', () => {
    // why the queueing functions do not list drain-sms in schedulesJobs: SqsDrainTrigger schedules
    // only for a wake-up with an instant, and only the drainer passes one
    const queueing = readFileSync('functions/use-cases/sms-queue.ts', 'utf8');
    expect([...queueing.matchAll(/trigger\.wake\(([^)]*)\)/g)].map((m) => m[1])).toEqual(['identity']);
    const handler = readFileSync('functions/handlers/drain-sms.handler.ts', 'utf8');
    expect(handler).toMatch(/trigger\.wake\(identity, /);
    const withDrainTarget = FUNCTION_SPECS.filter((s) => s.schedulesJobs?.includes('drain-sms'));
    expect(withDrainTarget.map((s) => s.name)).toEqual(['drain-sms']);
  });
});

/** Whether a queue's policy denies requests without TLS (enforceSSL). */
function sslOnly(built: SynthesizedCadence, queueId: string): boolean {
  return Object.values(built.statefulTemplate.findResources('AWS::SQS::QueuePolicy'))
    .filter((p) => (p.Properties.Queues as unknown[]).some((q) => render(q) === `<${queueId}>`))
    .some((p) =>
      (p.Properties.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[]).some(
        (s) =>
          s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
      ),
    );
}
