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
});
export type Screen = z.infer<typeof screenSchema>;
