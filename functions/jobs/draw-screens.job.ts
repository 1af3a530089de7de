import * as z from 'zod';
import { utcInstantSchema } from '../domain/common.schema.ts';
import { drawScreensWhenDue } from '../use-cases/screens.ts';
import { defineJob } from './job.ts';

export const drawScreensJob = defineJob({
  target: 'draw-screens',
  payload: z.object({ programId: z.string().min(1), scheduledTime: utcInstantSchema.optional() }),
  run: (deps, payload) => drawScreensWhenDue(deps, payload),
});
