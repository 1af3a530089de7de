import * as z from 'zod';
import { clientSchema } from '../../domain/client.schema.ts';
import { clinicianSchema } from '../../domain/clinician.schema.ts';
import { entityIdSchema, localDateSchema } from '../../domain/common.schema.ts';
import { flagAuditSchema, flagSchema } from '../../domain/flag.schema.ts';
import { replySchema } from '../../domain/inbound-sms.ts';
import { programSchema } from '../../domain/program.schema.ts';
import { screenSchema } from '../../domain/screen.schema.ts';
import { drawRecordSchema } from '../../domain/screening.ts';
import { sessionSchema } from '../../domain/session.schema.ts';

/** Every 4xx and 5xx body: a message, and for invalid input one issue per failing field. */
export const errorSchema = z.object({
  message: z.string(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

const cursor = {
  cursor: z.string().optional().describe('pass as `cursor` for the next page; absent on the last'),
};

/** What each route answers on success: its status and body schema (the document's responses, and the fuzz test's oracle). */
export const successResponses: Record<string, { status: number; schema: z.ZodType }> = {
  'POST /programs': { status: 201, schema: programSchema },
  'GET /programs/{programId}': { status: 200, schema: programSchema },
  'PUT /programs/{programId}': { status: 200, schema: programSchema },
  'DELETE /programs/{programId}': { status: 200, schema: programSchema },
  'PUT /programs/{programId}/clinicians/{clinicianId}': { status: 200, schema: clinicianSchema },
  'POST /programs/{programId}/clients': {
    status: 201,
    schema: z.object({ client: clientSchema, sessionsCreated: z.number().int().min(0) }),
  },
  'GET /programs/{programId}/clients/{clientId}': { status: 200, schema: clientSchema },
  'PATCH /programs/{programId}/clients/{clientId}': { status: 200, schema: clientSchema },
  'GET /programs/{programId}/sessions': {
    status: 200,
    schema: z.object({
      week: z.string().optional(),
      from: localDateSchema.optional(),
      to: localDateSchema.optional(),
      sessions: z.array(sessionSchema),
      ...cursor,
    }),
  },
  'GET /programs/{programId}/clients/{clientId}/sessions': {
    status: 200,
    schema: z.object({ sessions: z.array(sessionSchema) }),
  },
  'POST /programs/{programId}/sessions/{sessionId}/attendance': { status: 200, schema: sessionSchema },
  'POST /programs/{programId}/sessions/{sessionId}/check-in': { status: 200, schema: sessionSchema },
  'POST /programs/{programId}/sessions/{sessionId}/cancel': { status: 200, schema: sessionSchema },
  'POST /programs/{programId}/sessions/{sessionId}/reschedule': { status: 200, schema: sessionSchema },
  'POST /programs/{programId}/clients/{clientId}/consent': { status: 200, schema: clientSchema },
  'POST /programs/{programId}/clients/{clientId}/opt-out': { status: 200, schema: clientSchema },
  'POST /programs/{programId}/clients/{clientId}/opt-in': { status: 200, schema: clientSchema },
  'POST /programs/{programId}/clients/{clientId}/discharge': { status: 200, schema: clientSchema },
  'POST /programs/{programId}/screens/results': { status: 201, schema: screenSchema },
  'GET /programs/{programId}/screens/report': {
    status: 200,
    schema: z.object({
      programId: z.string(),
      from: localDateSchema,
      to: localDateSchema,
      draws: z.number().int().min(0),
      clients: z.array(
        z.object({
          clientId: entityIdSchema,
          eligible: z.number().int().min(0),
          selected: z.number().int().min(0),
          lastSelected: localDateSchema.nullable(),
        }),
      ),
      neverSelected: z.array(entityIdSchema),
    }),
  },
  'GET /programs/{programId}/screens/draws/{date}': {
    status: 200,
    schema: drawRecordSchema.extend({ verified: z.boolean() }),
  },
  'GET /programs/{programId}/flags': {
    status: 200,
    schema: z.object({ flags: z.array(flagSchema), ...cursor }),
  },
  'GET /programs/{programId}/flags/{flagId}': {
    status: 200,
    schema: z.object({ flag: flagSchema, audit: z.array(flagAuditSchema) }),
  },
  'POST /programs/{programId}/flags/{flagId}/acknowledge': { status: 200, schema: flagSchema },
  'POST /programs/{programId}/flags/{flagId}/resolve': { status: 200, schema: flagSchema },
  'GET /me': {
    status: 200,
    schema: z.object({
      subject: z.string(),
      roles: z.array(z.enum(['clinician', 'admin'])),
      programs: z.union([z.literal('all'), z.array(z.string())]),
    }),
  },
  'GET /programs': { status: 200, schema: z.object({ programs: z.array(programSchema), ...cursor }) },
  'GET /programs/{programId}/clients': {
    status: 200,
    schema: z.object({ clients: z.array(clientSchema), ...cursor }),
  },
  'GET /programs/{programId}/clinicians': {
    status: 200,
    schema: z.object({ clinicians: z.array(clinicianSchema), ...cursor }),
  },
  'GET /programs/{programId}/clients/{clientId}/messages': {
    status: 200,
    schema: z.object({ messages: z.array(replySchema), ...cursor }),
  },
};
