import type { OneTimeJob, RecurringJob } from '../domain/job.schema.ts';

export { type JobTarget, jobTargetSchema, type OneTimeJob, type RecurringJob } from '../domain/job.schema.ts';

export interface JobScheduler {
  /** Creates the job, or replaces the one with that name. */
  scheduleOnce(job: OneTimeJob): Promise<void>;
  /**
   * Creates the recurring job (a cron in its time zone), or replaces the one with that name with this
   * full definition: a program's weekly generation, draws and sweep follow the program.
   */
  scheduleRecurring(job: RecurringJob): Promise<void>;
  /** Deletes jobs, one-time or recurring, by name; names that do not exist are ignored. */
  cancel(names: string[]): Promise<void>;
}

/** The field every scheduled payload gets: the instant the schedule was due. */
export const SCHEDULED_TIME_FIELD = 'scheduledTime';
