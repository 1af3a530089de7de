import * as z from 'zod';
import { clientSchema, clientStatusSchema, consentSchema } from '../../../domain/client.schema.ts';
import { localDateSchema, utcInstantSchema } from '../../../domain/common.schema.ts';
import { flagSchema } from '../../../domain/flag.schema.ts';
import { replySchema } from '../../../domain/inbound-sms.ts';
import { programSchema } from '../../../domain/program.schema.ts';
import { screenResultSchema } from '../../../domain/screen.schema.ts';
import { sessionKindSchema, sessionSchema, shortfallSchema } from '../../../domain/session.schema.ts';
import { clientTimeline, previewWeek } from '../../../use-cases/client-timeline.ts';
import { getProgram } from '../../../use-cases/programs.ts';
import { defineRoute, HttpError } from '../http.ts';
import { enrolmentSchema } from './clients.ts';
import { clientPath, programPath, staff } from './common.ts';

const previewBody = z
  .object({
    /** Settings not saved yet: the week they would produce for the program's clients. */
    program: programSchema.optional(),
    /** An enrolment not made yet: the week it would produce for that client alone. */
    client: enrolmentSchema.optional(),
  })
  .strict();

const timelineSchema = z.object({
  client: z.object({
    id: z.string(),
    status: clientStatusSchema,
    track: z.string(),
    smsConsent: z.boolean(),
    consent: consentSchema.optional(),
    smsOptedOut: z.boolean(),
    optedOut: clientSchema.shape.optedOut,
    language: clientSchema.shape.language.unwrap(),
    endedAt: utcInstantSchema.optional(),
  }),
  sessions: z.array(sessionSchema),
  messages: z.array(
    z.object({
      at: utcInstantSchema,
      purpose: z.string(),
      subjectId: z.string(),
      offsetMinutes: z.number().int().optional(),
      outcome: z.enum(['sent', 'suppressed', 'in-flight']),
      reason: z.string().optional(),
    }),
  ),
  screens: z.array(
    z.object({
      date: localDateSchema,
      reason: z.enum(['random', 'minimum', 'staff']),
      deadline: utcInstantSchema.optional(),
      recordedAt: utcInstantSchema.optional(),
      result: z.union([screenResultSchema, z.literal('recorded')]).optional(),
    }),
  ),
  flags: z.array(flagSchema),
  replies: z.array(
    replySchema.pick({ receivedAt: true, keyword: true, text: true, confirmedSessionId: true }),
  ),
});
const previewSchema = z.object({
  week: z.string(),
  sessions: z.array(sessionSchema),
  shortfalls: z.array(shortfallSchema),
  unplaced: z.array(z.object({ clientId: z.string(), kind: sessionKindSchema, reason: z.string() })),
});

/** What the care-team web app reads beyond the resource routes (issue 14). */
export const appRoutes = {
  timeline: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}/timeline',
    roles: staff,
    params: clientPath,
    response: timelineSchema,
    // Screen results are clinical: clinicians see them; an admin only sees that one was recorded.
    run: (deps, { params, caller }) =>
      clientTimeline(deps, params.programId, params.clientId, {
        showResults: caller.roles.includes('clinician'),
      }),
  }),
  previewWeek: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/week-preview',
    roles: staff,
    params: programPath,
    body: previewBody,
    response: previewSchema,
    async run(deps, { params, body }) {
      if (body.program && body.program.id !== params.programId)
        throw new HttpError(400, 'body.program.id: must match the path');
      const program = body.program ?? (await getProgram(deps, params.programId));
      const clients = body.client ? [clientSchema.parse(body.client)] : undefined;
      return previewWeek(deps, program, clients);
    },
  }),
};
