import { IANAZone } from 'luxon';
import * as z from 'zod';

export const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export const dayOfWeekSchema = z.enum(DAYS, { error: 'expected one of MON, TUE, WED, THU, FRI, SAT, SUN' });
export type DayOfWeek = z.infer<typeof dayOfWeekSchema>;

export const localTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a 24-hour local time like 09:00' });

export const localDateSchema = z.iso.date({ error: 'expected a local date like 2027-01-04' });

export const isoWeekSchema = z
  .string()
  .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, { error: 'expected an ISO week like 2027-W01' });

export const timezoneSchema = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  error: 'expected an IANA time zone like America/New_York',
});

/** Ids end up in EventBridge Scheduler names, which allow only [0-9a-zA-Z-_.]. */
export const entityIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, {
  error: 'expected 1-40 characters of letters, digits, - _ .',
});

export const phoneSchema = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, { error: 'expected E.164 like +12025550101' });

export const utcInstantSchema = z.iso.datetime({ error: 'expected a UTC instant like 2027-01-04T15:00:00Z' });

/** A weekly recurring window of local time, e.g. availability or busy hours. */
export const weeklyWindowSchema = z
  .object({
    days: z.array(dayOfWeekSchema).min(1, { error: 'expected at least one day' }),
    start: localTimeSchema,
    end: localTimeSchema,
  })
  .refine((w) => w.start < w.end, { error: 'expected start before end', path: ['end'] });
export type WeeklyWindow = z.infer<typeof weeklyWindowSchema>;

export const quietHoursSchema = z.object({ start: localTimeSchema, end: localTimeSchema });
export type QuietHours = z.infer<typeof quietHoursSchema>;
