import * as z from 'zod';
import { entityIdSchema } from '../../../domain/common.schema.ts';

/** The path parameters the routes parse (and docs/openapi.json shows). */
export const programPath = z.object({ programId: z.string().regex(/^[a-z0-9-]{1,40}$/) });
export const clientPath = programPath.extend({ clientId: entityIdSchema });
export const sessionPath = programPath.extend({ sessionId: z.string().min(1).max(40) });
export const clinicianPath = programPath.extend({ clinicianId: entityIdSchema });
export const flagPath = programPath.extend({ flagId: z.string().min(1).max(64) });
export const drawPath = programPath.extend({ date: z.iso.date() });

/** `limit` and the opaque `cursor` of every list route; the next page's cursor comes in the answer. */
export const pageQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: 'expected a whole number from 1 to 200' })
    .transform(Number)
    .pipe(z.number().int().min(1).max(200))
    .optional(),
  cursor: z
    .string()
    .max(2048)
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'expected the cursor of the previous page' })
    .optional(),
});
export const listQuery = pageQuery.strict();
const DEFAULT_PAGE = 50;
export const pageOf = (q: { limit?: number | undefined; cursor?: string | undefined }) => ({
  limit: q.limit ?? DEFAULT_PAGE,
  cursor: q.cursor,
});

/** A page's items under `key`, with the cursor of the next page when there is one. */
export const pageBody = <K extends string, T>(key: K, page: { items: T[]; cursor?: string | undefined }) =>
  ({ [key]: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) }) as Record<K, T[]> & {
    cursor?: string;
  };

export const staff = ['clinician', 'admin'] as const;
