import * as z from 'zod';
import { isoWeekSchema, utcInstantSchema } from '../domain/common.schema.ts';
import { generateScheduledWeek } from '../use-cases/generate-week.ts';
import { defineJob } from './job.ts';

export const generateWeekPayloadSchema = z
  .object({
    programId: z.string().min(1),
    /** Filled by EventBridge Scheduler from <aws.scheduler.scheduled-time>. */
    scheduledTime: utcInstantSchema.optional(),
    /** Set to generate one particular week (backfill); otherwise the week after the scheduled time's. */
    week: isoWeekSchema.optional(),
    /** One part of a week that fanned out (a one-time job the weekly run made): `part` of `parts`. */
    part: z.number().int().min(0).max(999).optional(),
    parts: z.number().int().min(2).max(1000).optional(),
  })
  .refine((p) => (p.part === undefined) === (p.parts === undefined) && (p.part ?? 0) < (p.parts ?? 1), {
    message: 'part and parts go together, with part < parts',
    path: ['part'],
  });

export const generateWeekJob = defineJob({
  target: 'generate-week',
  payload: generateWeekPayloadSchema,
  run: (deps, payload) => generateScheduledWeek(deps, payload),
});
