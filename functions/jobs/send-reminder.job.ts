import * as z from 'zod';
import { utcInstantSchema } from '../domain/common.schema.ts';
import { sendSessionMessage } from '../use-cases/send-reminder.ts';
import { defineJob } from './job.ts';

export const sendReminderPayloadSchema = z.object({
  programId: z.string().min(1),
  sessionId: z.string().min(1),
  purpose: z.enum(['reminder', 'missed-session']),
  offsetMinutes: z.number().int().positive().optional(),
  /** The session start the job was made for; a moved session's old jobs find another start. */
  start: utcInstantSchema.optional(),
  /** Carried by jobs made before `start` was; ignored (attendance bumps the version too). */
  version: z.number().int().min(1).optional(),
  scheduledTime: utcInstantSchema.optional(),
});

/** A session's reminder or missed-session note. */
export const sendReminderJob = defineJob({
  target: 'send-reminder',
  payload: sendReminderPayloadSchema,
  run: (deps, payload) => sendSessionMessage(deps, payload),
});
