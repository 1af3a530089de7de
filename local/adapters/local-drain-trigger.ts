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
 * or a retry's time). A wake for an identity and second that already has a drainer waiting to run
 * is that one; once it ran, the next wake is a new job with a name of its own (a job's name is
 * its identity in the retry chain of a failed run), and every run wakes the next while messages wait.
 */
export class LocalDrainTrigger implements DrainTrigger {
  readonly deadLetters: LocalDeadLetter[] = [];
  private readonly waiting = new Map<string, string>();
  private runs = 0;

  constructor(
    private readonly scheduler: JobScheduler,
    private readonly clock: Clock,
    /** Whether the scheduler still holds a job by this name (not yet fired). */
    private readonly isPending: (name: string) => boolean,
  ) {}

  async wake(identity: string, at?: string): Promise<void> {
    const when = at && at > this.clock.now() ? at : this.clock.now();
    const slot = `${identity}-${windowOf(when)}`;
    const known = this.waiting.get(slot);
    if (known && this.isPending(known)) return;
    const name = `drain-${slot}-${++this.runs}`;
    await this.scheduler.scheduleOnce({ name, target: 'drain-sms', at: when, payload: { identity } });
    this.waiting.set(slot, name);
    if (this.waiting.size > 1000) this.waiting.delete(this.waiting.keys().next().value!);
  }

  async deadLetter(message: Pick<QueuedSms, 'identity' | 'key' | 'attempts'>, reason: string): Promise<void> {
    this.deadLetters.push({ ...message, reason, at: this.clock.now() });
  }
}
