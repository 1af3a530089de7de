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
  'drain-sms',
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

/** Scheduler names: 1-64 characters of [0-9a-zA-Z-_.]. */
export const JOB_NAME_PATTERN = /^[0-9a-zA-Z\-_.]{1,64}$/;
