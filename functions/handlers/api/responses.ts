import * as z from 'zod';
import { clientSchema } from '../../domain/client.schema.ts';
import { clinicianSchema } from '../../domain/clinician.schema.ts';
import { entityIdSchema, localDateSchema } from '../../domain/common.schema.ts';
import { flagAuditSchema, flagSchema } from '../../domain/flag.schema.ts';
import { replySchema } from '../../domain/inbound-sms.ts';
import { programSchema } from '../../domain/program.schema.ts';
import { drawRecordSchema } from '../../domain/screening.ts';
import { sessionSchema } from '../../domain/session.schema.ts';

/** Every 4xx and 5xx body: a message, and for invalid input one issue per failing field. */
export const errorSchema = z
  .object({
    message: z.string(),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

const cursor = {
  cursor: z.string().optional().describe('pass as `cursor` for the next page; absent on the last'),
};

/** The answers of the routes whose body is not a stored item: lists, reports, a draw, who I am. */
export const enrolled = z.object({ client: clientSchema, sessionsCreated: z.number().int().min(0) });
export const programSessions = z.object({
  week: z.string().optional(),
  from: localDateSchema.optional(),
  to: localDateSchema.optional(),
  sessions: z.array(sessionSchema),
  ...cursor,
});
export const clientSessions = z.object({ sessions: z.array(sessionSchema) });
export const screensReport = z.object({
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
});
export const verifiedDraw = drawRecordSchema.extend({ verified: z.boolean() });
export const flagPage = z.object({ flags: z.array(flagSchema), ...cursor });
export const flagWithAudit = z.object({ flag: flagSchema, audit: z.array(flagAuditSchema) });
export const whoAmI = z.object({
  subject: z.string(),
  roles: z.array(z.enum(['clinician', 'admin'])),
  programs: z.union([z.literal('all'), z.array(z.string())]),
});
export const programPage = z.object({ programs: z.array(programSchema), ...cursor });
export const clientPage = z.object({ clients: z.array(clientSchema), ...cursor });
export const clinicianPage = z.object({ clinicians: z.array(clinicianSchema), ...cursor });
export const messagePage = z.object({ messages: z.array(replySchema), ...cursor });
