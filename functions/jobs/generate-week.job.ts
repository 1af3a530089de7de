import * as z from 'zod';
import { isoWeekSchema, utcInstantSchema } from '../domain/common.schema.ts';
import { weekToGenerate } from '../domain/recurring-jobs.ts';
import { NotFoundError } from '../use-cases/deps.ts';
import { generateWeek } from '../use-cases/generate-week.ts';
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
  async run(deps, payload) {
    const program = await deps.programs.getProgram(payload.programId);
    if (!program) throw new NotFoundError(`program ${payload.programId} does not exist`);
    const week = payload.week ?? weekToGenerate(program, payload.scheduledTime ?? deps.clock.now());
    const { createdSessions: _, ...result } = await generateWeek(deps, { programId: program.id, week });
    return result;
  },
});
