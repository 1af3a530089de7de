import * as z from 'zod';
import { entityIdSchema, localDateSchema, utcInstantSchema } from './common.schema.ts';

export const screenResultSchema = z.enum(['negative', 'positive', 'dilute', 'refused', 'no-show']);
export type ScreenResult = z.infer<typeof screenResultSchema>;

/** One client's screen on one local date: from a draw (random or minimum) or recorded by staff. */
export const screenSchema = z.object({
  programId: z.string(),
  clientId: entityIdSchema,
  date: localDateSchema,
  drawId: z.string().optional(),
  reason: z.enum(['random', 'minimum', 'staff']),
  noticeAt: utcInstantSchema.optional(),
  deadline: utcInstantSchema.optional(),
  result: screenResultSchema.optional(),
  recordedAt: utcInstantSchema.optional(),
  /** Who recorded the result: a staff member's id, or `cadence` for a no-show at the deadline. */
  recordedBy: z.string().optional(),
  /** Results this one replaced (a staff result over a no-show), oldest first: the audit trail. */
  history: z
    .array(
      z.object({
        result: screenResultSchema,
        recordedAt: utcInstantSchema,
        recordedBy: z.string().optional(),
      }),
    )
    .default([]),
  /** Bumped on every change: every update is conditional on it (invariant 11). */
  version: z.number().int().min(1).default(1),
});
export type Screen = z.infer<typeof screenSchema>;
