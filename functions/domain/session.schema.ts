import * as z from 'zod';
import { entityIdSchema, isoWeekSchema, localDateSchema, utcInstantSchema } from './common.schema.ts';

export const sessionKindSchema = z.enum(['group', 'individual', 'family']);
export type SessionKind = z.infer<typeof sessionKindSchema>;

export const attendanceStatusSchema = z.enum(['present', 'absent', 'excused']);
export type AttendanceStatus = z.infer<typeof attendanceStatusSchema>;

export const sessionSchema = z.object({
  sessionId: z.string().min(1).max(40),
  programId: z.string().min(1),
  clientId: entityIdSchema,
  kind: sessionKindSchema,
  /** UTC instants; the local wall-clock time is derived with the program's time zone. */
  start: utcInstantSchema,
  end: utcInstantSchema,
  /** Program-local date and ISO week of `start`. */
  date: localDateSchema,
  week: isoWeekSchema,
  clinicianId: entityIdSchema.optional(),
  topic: z.string().optional(),
  status: z.enum(['scheduled', 'cancelled']).default('scheduled'),
  attendance: attendanceStatusSchema.optional(),
  /**
   * Set once, by the attendance check that found no check-in at start + grace, with the absence:
   * the miss is announced (event, alert, note) by the run that set it. A later check-in keeps it:
   * the session is then a late arrival, present, with no second alert.
   */
  missedAt: utcInstantSchema.optional(),
  /**
   * When the client confirmed by SMS ("C" to a reminder, or the next session within 48 hours). A
   * reschedule clears it: a confirmation is for the time the client was told.
   */
  confirmedAt: utcInstantSchema.optional(),
  /** Bumped on every change (reschedule, cancel, attendance): every write is conditional on it. */
  version: z.number().int().min(1).default(1),
});
export type Session = z.infer<typeof sessionSchema>;

export const shortfallSchema = z.object({
  programId: z.string(),
  clientId: entityIdSchema,
  week: isoWeekSchema,
  hours: z.number(),
  minimum: z.number(),
});
export type Shortfall = z.infer<typeof shortfallSchema>;
