import * as z from 'zod';
import { clientSchema, clientStatusSchema, consentSchema } from '../../../domain/client.schema.ts';
import { localDateSchema, utcInstantSchema } from '../../../domain/common.schema.ts';
import { flagSchema } from '../../../domain/flag.schema.ts';
import { programSchema } from '../../../domain/program.schema.ts';
import { screenResultSchema } from '../../../domain/screen.schema.ts';
import { sessionKindSchema, sessionSchema, shortfallSchema } from '../../../domain/session.schema.ts';
import { clientTimeline, previewWeek } from '../../../use-cases/client-timeline.ts';
import { getProgram } from '../../../use-cases/programs.ts';
import { HttpError, parse, type Route } from '../http.ts';
import { successResponses } from '../responses.ts';
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

/** What the care-team web app reads beyond the resource routes (issue 14). */
export const appRoutes = {
  timeline: {
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}/timeline',
    roles: [...staff],
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      // Screen results are clinical: clinicians see them; an admin only sees that one was recorded.
      const showResults = req.caller.roles.includes('clinician');
      return { body: await clientTimeline(deps, programId, clientId, { showResults }) };
    },
  },
  previewWeek: {
    method: 'POST',
    path: '/programs/{programId}/week-preview',
    roles: [...staff],
    body: previewBody,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const input = parse(previewBody, req.body ?? {}, 'body');
      if (input.program && input.program.id !== programId)
        throw new HttpError(400, 'body.program.id: must match the path');
      const program = input.program ?? (await getProgram(deps, programId));
      const clients = input.client ? [clientSchema.parse(input.client)] : undefined;
      return { body: await previewWeek(deps, program, clients) };
    },
  },
} satisfies Record<string, Route>;

const timelineSchema = z.object({
  client: z.object({
    id: z.string(),
    status: clientStatusSchema,
    track: z.string(),
    smsConsent: z.boolean(),
    consent: consentSchema.optional(),
    smsOptedOut: z.boolean(),
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
});
const previewSchema = z.object({
  week: z.string(),
  sessions: z.array(sessionSchema),
  shortfalls: z.array(shortfallSchema),
  unplaced: z.array(z.object({ clientId: z.string(), kind: sessionKindSchema, reason: z.string() })),
});

// Registered here, beside the routes, so that the app's additions to the route layer stay in this file.
successResponses['GET /programs/{programId}/clients/{clientId}/timeline'] = {
  status: 200,
  schema: timelineSchema,
};
successResponses['POST /programs/{programId}/week-preview'] = { status: 200, schema: previewSchema };
