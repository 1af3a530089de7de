import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { windowOf } from '../../domain/pacing.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { JobScheduler } from '../../ports/job-scheduler.port.ts';
import type { DrainTrigger, QueuedSms } from '../../ports/sms-queue.port.ts';

export interface SqsDrainConfig {
  /** The FIFO queue of wake-ups: one message group per identity, so one drainer per identity at a time. */
  queueUrl: string;
  /** Where a message given up after its last attempt goes (ids only), with an alarm on it. */
  deadLetterUrl: string;
}

/**
 * Wakes an identity's drainer in AWS. Now: a message on the FIFO queue in the identity's group
 * (each wake its own deduplication id, so a wake sent while a drainer is finishing is never
 * folded into the one it is finishing: that drainer's successor drains what came in after).
 * Later (a backoff, quiet hours ending): a one-time schedule that invokes the drainer then.
 */
export class SqsDrainTrigger implements DrainTrigger {
  constructor(
    private readonly sqs: SQSClient,
    private readonly config: SqsDrainConfig,
    private readonly scheduler: JobScheduler,
    private readonly clock: Clock,
  ) {}

  async wake(identity: string, at?: string): Promise<void> {
    if (at && at > this.clock.now()) {
      await this.scheduler.scheduleOnce({
        name: `drain-${identity}-${windowOf(at)}`,
        target: 'drain-sms',
        at,
        payload: { identity },
      });
      return;
    }
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.config.queueUrl,
        MessageBody: JSON.stringify({ identity }),
        MessageGroupId: identity,
        MessageDeduplicationId: randomUUID(),
      }),
    );
  }

  async deadLetter(message: Pick<QueuedSms, 'identity' | 'key' | 'attempts'>, reason: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.config.deadLetterUrl,
        // Ids only: the message's identity in the ledger, never the number or the text.
        MessageBody: JSON.stringify({
          identity: message.identity,
          key: message.key,
          attempts: message.attempts,
          reason,
        }),
      }),
    );
  }
}
