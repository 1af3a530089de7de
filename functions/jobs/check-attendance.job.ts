import * as z from 'zod';
import { utcInstantSchema } from '../domain/common.schema.ts';
import { checkAttendance } from '../use-cases/attendance.ts';
import { defineJob } from './job.ts';

export const checkAttendanceJob = defineJob({
  target: 'check-attendance',
  payload: z.object({
    programId: z.string().min(1),
    sessionId: z.string().min(1),
    version: z.number().int().min(1).optional(),
    scheduledTime: utcInstantSchema.optional(),
  }),
  run: (deps, payload) => checkAttendance(deps, payload),
});
