import * as z from 'zod';

/** The functions a schedule can invoke. In AWS each is a Lambda; locally, a registered handler. */
export const jobTargetSchema = z.enum([
  'generate-week',
  'send-reminder',
  'check-attendance',
  'draw-screens',
  'check-screen',
  'escalate-flag',
  'sweep-engagement',
]);
export type JobTarget = z.infer<typeof jobTargetSchema>;

/** A one-time job: EventBridge Scheduler `at()` in AWS. The payload carries ids only, never PHI. */
export interface OneTimeJob {
  /** Deterministic, 1-64 characters of [0-9a-zA-Z-_.]: creating it twice is harmless. */
  name: string;
  target: JobTarget;
  /** UTC instant; never in the past (the domain decides what to do about past times). */
  at: string;
  payload: Record<string, string | number>;
}

/** A recurring job: a cron in the program's time zone. */
export interface RecurringJob {
  name: string;
  target: JobTarget;
  /** EventBridge Scheduler cron fields: minutes hours day-of-month month day-of-week year. */
  cron: string;
  timezone: string;
  payload: Record<string, string | number>;
}

export interface JobScheduler {
  /** Creates the job, or replaces the one with that name. */
  scheduleOnce(job: OneTimeJob): Promise<void>;
  /** Deletes jobs by name; names that do not exist are ignored. */
  cancel(names: string[]): Promise<void>;
}

/** The field every scheduled payload gets: the instant the schedule was due. */
export const SCHEDULED_TIME_FIELD = 'scheduledTime';
