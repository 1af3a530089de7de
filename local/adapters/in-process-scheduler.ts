import type { JobScheduler, OneTimeJob } from '../../functions/ports/job-scheduler.port.ts';

/**
 * One-time jobs kept in memory, as EventBridge Scheduler would keep them: a name is unique
 * (creating it again replaces it), and a fired job is deleted (ActionAfterCompletion: DELETE).
 * The local runtime fires them on the real clock, the simulator on a virtual one.
 */
export class InProcessScheduler implements JobScheduler {
  private readonly jobs = new Map<string, OneTimeJob>();

  async scheduleOnce(job: OneTimeJob): Promise<void> {
    if (!/^[0-9a-zA-Z\-_.]{1,64}$/.test(job.name)) throw new Error(`invalid schedule name ${job.name}`);
    this.jobs.set(job.name, job);
  }

  async cancel(names: string[]): Promise<void> {
    for (const name of names) this.jobs.delete(name);
  }

  pending(): OneTimeJob[] {
    return [...this.jobs.values()].sort((a, b) =>
      a.at === b.at ? (a.name < b.name ? -1 : 1) : a.at < b.at ? -1 : 1,
    );
  }

  /** The earliest job due at or before `until`, removed from the schedule (it is firing). */
  takeNextDue(until: string): OneTimeJob | undefined {
    const next = this.pending()[0];
    if (!next || next.at > until) return undefined;
    this.jobs.delete(next.name);
    return next;
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }
}
