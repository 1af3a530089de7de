import * as z from 'zod';
import { isoWeekSchema, utcInstantSchema } from '../domain/common.schema.ts';
import { generateScheduledWeek } from '../use-cases/generate-week.ts';
import { defineJob } from './job.ts';

export const generateWeekPayloadSchema = z.object({
  programId: z.string().min(1),
  /** Filled by EventBridge Scheduler from <aws.scheduler.scheduled-time>. */
  scheduledTime: utcInstantSchema.optional(),
  /** Set to generate one particular week (backfill); otherwise the week after the scheduled time's. */
  week: isoWeekSchema.optional(),
});

export const generateWeekJob = defineJob({
  target: 'generate-week',
  payload: generateWeekPayloadSchema,
  run: (deps, payload) => generateScheduledWeek(deps, payload),
});
