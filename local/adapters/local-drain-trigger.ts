import { windowOf } from '../../functions/domain/pacing.ts';
import type { Clock } from '../../functions/ports/clock.port.ts';
import type { JobScheduler } from '../../functions/ports/job-scheduler.port.ts';
import type { DrainTrigger, QueuedSms } from '../../functions/ports/sms-queue.port.ts';

/** A message the local drainer gave up on: ids and why, as the dead-letter queue keeps them in AWS. */
export interface LocalDeadLetter {
  identity: string;
  key: QueuedSms['key'];
  attempts: number;
  reason: string;
  at: string;
}

/**
 * Wakes an identity's drainer through the job scheduler: a `drain-sms` job at the instant (now,
 * or a retry's time). One job per identity and second, so waking twice in a second is one run;
 * every run wakes the next itself while messages wait.
 */
export class LocalDrainTrigger implements DrainTrigger {
  readonly deadLetters: LocalDeadLetter[] = [];

  constructor(
    private readonly scheduler: JobScheduler,
    private readonly clock: Clock,
  ) {}

  async wake(identity: string, at?: string): Promise<void> {
    const when = at && at > this.clock.now() ? at : this.clock.now();
    await this.scheduler.scheduleOnce({
      name: `drain-${identity}-${windowOf(when)}`,
      target: 'drain-sms',
      at: when,
      payload: { identity },
    });
  }

  async deadLetter(message: Pick<QueuedSms, 'identity' | 'key' | 'attempts'>, reason: string): Promise<void> {
    this.deadLetters.push({ ...message, reason, at: this.clock.now() });
  }
}
