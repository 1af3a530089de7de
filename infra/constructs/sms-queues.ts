import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * How long a wake-up the drainer received stays invisible to other drainers. Three minutes, for
 * a drain-sms timeout of two (DRAIN_SMS_TIMEOUT in infra/functions.ts; the stateless stack refuses
 * a drainer timeout longer than this):
 * - at least the function's timeout, so SQS never hands the wake-up to a second drainer while the
 *   first still runs (FIFO also holds back the identity's later wake-ups meanwhile);
 * - the timeout plus a minute for the event source's hand-off, and longer than the queue's lease
 *   (LEASE_MINUTES, 2, in functions/use-cases/sms-queue.ts): a wake-up that comes back after a
 *   failed or timed-out drainer finds that drainer's leased messages free to take;
 * - no longer: a failed wake-up comes back only when its visibility ends, and until then FIFO holds
 *   back every later wake-up of its identity, so each of that identity's SMS waits. Lambda's advice
 *   of six times the timeout (room for throttled retries) would stall an identity for 12 minutes
 *   after each failure; here a throttled wake-up returns after 3 and counts one receive of
 *   SMS_WAKE_MAX_RECEIVES.
 */
export const SMS_WAKE_VISIBILITY = Duration.minutes(3);
/** Receives of one wake-up before it moves to the wake dead-letter queue (about 15 minutes of failures). */
export const SMS_WAKE_MAX_RECEIVES = 5;
/** A wake-up older than this is dropped: the messages it was for wait in the table until the next one. */
export const SMS_WAKE_RETENTION = Duration.days(4);
/** Dead letters are kept this long (the SQS maximum) for a person to look at. */
export const SMS_DEAD_LETTER_RETENTION = Duration.days(14);

export interface SmsQueuesProps {
  readonly stage: string;
  /** Encrypts the three queues (the messaging key). */
  readonly key: IKey;
  /** RETAIN in prod, DESTROY in dev. */
  readonly removalPolicy: RemovalPolicy;
}

/** What the stateless stack takes of the SMS queues. */
export interface SmsQueueResources {
  /** FIFO, one message group per origination identity: wakes that identity's drainer. */
  readonly wakeQueue: IQueue;
  /** SMS_WAKE_VISIBILITY: the drainer's timeout may not be longer. */
  readonly wakeVisibilityTimeout: Duration;
  /** Wake-ups received SMS_WAKE_MAX_RECEIVES times without success (FIFO too). */
  readonly wakeDeadLetterQueue: IQueue;
  /** SMS the drainer gave up on after their last attempt (ids only, never the number or the text). */
  readonly deadLetterQueue: IQueue;
}

/**
 * Paced sending's queues (issue 16). The SMS themselves wait in the table, one partition per
 * origination identity (functions/adapters/dynamodb/sms-queue.repository.ts); these queues hold
 * what must outlive a deployment around them: the wake-ups of each identity's drainer (a FIFO
 * queue, one message group per identity, so one drainer per identity at a time) and the SMS given
 * up. Both dead-letter queues are alarmed in the stateless stack.
 */
export class SmsQueues extends Construct implements SmsQueueResources {
  public readonly wakeQueue: Queue;
  public readonly wakeVisibilityTimeout = SMS_WAKE_VISIBILITY;
  public readonly wakeDeadLetterQueue: Queue;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: SmsQueuesProps) {
    super(scope, id);
    const encrypted = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    };
    this.wakeDeadLetterQueue = new Queue(this, 'WakeDeadLetters', {
      ...encrypted,
      queueName: `cadence-${props.stage}-sms-wake-dead-letters.fifo`,
      fifo: true,
      retentionPeriod: SMS_DEAD_LETTER_RETENTION,
    });
    this.wakeQueue = new Queue(this, 'Wake', {
      ...encrypted,
      queueName: `cadence-${props.stage}-sms-wake.fifo`,
      fifo: true,
      // every wake-up has its own deduplication id (functions/adapters/aws/sqs-drain-trigger.adapter.ts)
      contentBasedDeduplication: false,
      visibilityTimeout: SMS_WAKE_VISIBILITY,
      retentionPeriod: SMS_WAKE_RETENTION,
      deadLetterQueue: { queue: this.wakeDeadLetterQueue, maxReceiveCount: SMS_WAKE_MAX_RECEIVES },
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      ...encrypted,
      queueName: `cadence-${props.stage}-sms-dead-letter`,
      retentionPeriod: SMS_DEAD_LETTER_RETENTION,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: the SMS drainer hands it the messages it gave up on (ids only), and its alarm tells ops',
    });
  }
}
