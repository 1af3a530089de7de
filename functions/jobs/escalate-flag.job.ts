import * as z from 'zod';
import { utcInstantSchema } from '../domain/common.schema.ts';
import { escalateFlag } from '../use-cases/flags.ts';
import { defineJob } from './job.ts';

export const escalateFlagJob = defineJob({
  target: 'escalate-flag',
  payload: z.object({
    programId: z.string().min(1),
    flagId: z.string().min(1),
    scheduledTime: utcInstantSchema.optional(),
  }),
  run: (deps, p) => escalateFlag(deps, p.programId, p.flagId),
});
