import * as z from 'zod';
import { entityIdSchema, localDateSchema, utcInstantSchema } from '../domain/common.schema.ts';
import { checkScreenDeadline, sendScreenNotice } from '../use-cases/screens.ts';
import { defineJob } from './job.ts';

/** A selected client's notice (when the draw fell in quiet hours) and the window's end. */
export const checkScreenJob = defineJob({
  target: 'check-screen',
  payload: z.object({
    programId: z.string().min(1),
    clientId: entityIdSchema,
    date: localDateSchema,
    phase: z.enum(['notice', 'deadline']),
    scheduledTime: utcInstantSchema.optional(),
  }),
  run: (deps, p) =>
    p.phase === 'notice'
      ? sendScreenNotice(deps, p.programId, p.clientId, p.date)
      : checkScreenDeadline(deps, p.programId, p.clientId, p.date),
});
