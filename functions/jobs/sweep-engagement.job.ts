import * as z from 'zod';
import { utcInstantSchema } from '../domain/common.schema.ts';
import { sweepEngagement } from '../use-cases/flags.ts';
import { defineJob } from './job.ts';

export const sweepEngagementJob = defineJob({
  target: 'sweep-engagement',
  payload: z.object({ programId: z.string().min(1), scheduledTime: utcInstantSchema.optional() }),
  run: (deps, p) => sweepEngagement(deps, p.programId),
});
