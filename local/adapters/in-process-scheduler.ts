import { nextWeeklyCronTime } from '../../functions/domain/cron.ts';
import { JOB_NAME_PATTERN } from '../../functions/domain/job.schema.ts';
import type { JobScheduler, OneTimeJob, RecurringJob } from '../../functions/ports/job-scheduler.port.ts';

/** A recurring job as the in-process scheduler keeps it: with the next instant it fires. */
export interface HeldRecurringJob extends RecurringJob {
  next: string;
}

/** A job that is due: a one-time job, or one firing of a recurring job (`at` is its cron time). */
export interface DueJob extends OneTimeJob {
  recurring: boolean;
}

/**
 * Jobs kept in memory, as EventBridge Scheduler would keep them: a name is unique (creating it
 * again replaces it), a fired one-time job is deleted (ActionAfterCompletion: DELETE), and a
 * recurring job fires on its cron in its own time zone until it is cancelled. The local runtime
 * fires them on the real clock, the simulator on a virtual one; `now` is that clock.
 */
export class InProcessScheduler implements JobScheduler {
  private readonly jobs = new Map<string, OneTimeJob>();
  private readonly recurring = new Map<string, HeldRecurringJob>();

  constructor(private readonly now: () => string) {}

  async scheduleOnce(job: OneTimeJob): Promise<void> {
    checkName(job.name);
    this.jobs.set(job.name, job);
  }

  /** Replacing a job with the same cron and zone keeps its next firing, as an UpdateSchedule would. */
  async scheduleRecurring(job: RecurringJob): Promise<void> {
    checkName(job.name);
    const known = this.recurring.get(job.name);
    const next =
      known && known.cron === job.cron && known.timezone === job.timezone
        ? known.next
        : nextWeeklyCronTime(job.cron, job.timezone, this.now());
    this.recurring.set(job.name, { ...job, next });
  }

  async cancel(names: string[]): Promise<void> {
    for (const name of names) {
      this.jobs.delete(name);
      this.recurring.delete(name);
    }
  }

  /** The pending one-time jobs, earliest first. */
  pending(): OneTimeJob[] {
    return [...this.jobs.values()].sort(byTimeThenName);
  }

  /** The recurring jobs held, by name. */
  recurringJobs(): HeldRecurringJob[] {
    return [...this.recurring.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  recurringJob(name: string): HeldRecurringJob | undefined {
    return this.recurring.get(name);
  }

  /** The next job to fire; at one instant, recurring jobs before one-time ones. */
  peekNext(): DueJob | undefined {
    const recurring = this.recurringJobs()
      .map((r) => ({ name: r.name, target: r.target, at: r.next, payload: r.payload, recurring: true }))
      .sort(byTimeThenName)[0];
    const once = this.pending()[0];
    if (!once) return recurring;
    if (!recurring || once.at < recurring.at) return { ...once, recurring: false };
    return recurring;
  }

  /**
   * The next job due at or before `until`, fired: a one-time job is removed from the schedule, a
   * recurring one moves on to its following cron time.
   */
  takeNextDue(until: string): DueJob | undefined {
    const next = this.peekNext();
    if (!next || next.at > until) return undefined;
    if (next.recurring) {
      const job = this.recurring.get(next.name)!;
      job.next = nextWeeklyCronTime(job.cron, job.timezone, next.at);
    } else {
      this.jobs.delete(next.name);
    }
    return next;
  }

  has(name: string): boolean {
    return this.jobs.has(name) || this.recurring.has(name);
  }
}

function checkName(name: string): void {
  if (!JOB_NAME_PATTERN.test(name)) throw new Error(`invalid schedule name ${name}`);
}

const byTimeThenName = (a: { at: string; name: string }, b: { at: string; name: string }) =>
  a.at === b.at ? (a.name < b.name ? -1 : 1) : a.at < b.at ? -1 : 1;
