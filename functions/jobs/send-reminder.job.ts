import * as z from 'zod';
import { entityIdSchema, utcInstantSchema } from '../domain/common.schema.ts';
import { sendOptInConfirmation } from '../use-cases/client-lifecycle.ts';
import { sendSessionMessage } from '../use-cases/send-reminder.ts';
import { defineJob } from './job.ts';

export const sessionMessagePayloadSchema = z.object({
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

/** An opt-in confirmation that fell inside quiet hours, sent when they end. */
export const optInConfirmationPayloadSchema = z.object({
  programId: z.string().min(1),
  purpose: z.literal('opt-in'),
  clientId: entityIdSchema,
  /** The consent the client opted in on: a later opt-in or opt-out makes this job moot. */
  consentAt: utcInstantSchema,
  scheduledTime: utcInstantSchema.optional(),
});

export const sendReminderPayloadSchema = z.union([
  optInConfirmationPayloadSchema,
  sessionMessagePayloadSchema,
]);

/** A session's reminder or missed-session note, or a deferred opt-in confirmation. */
export const sendReminderJob = defineJob({
  target: 'send-reminder',
  payload: sendReminderPayloadSchema,
  run: (deps, payload) =>
    payload.purpose === 'opt-in' ? sendOptInConfirmation(deps, payload) : sendSessionMessage(deps, payload),
});
