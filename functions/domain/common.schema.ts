import { IANAZone } from 'luxon';
import * as z from 'zod';

export const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export const dayOfWeekSchema = z.enum(DAYS, { error: 'expected one of MON, TUE, WED, THU, FRI, SAT, SUN' });
export type DayOfWeek = z.infer<typeof dayOfWeekSchema>;

export const localTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a 24-hour local time like 09:00' });

export const localDateSchema = z.iso.date({ error: 'expected a local date like 2027-01-04' });

/** Dates a person enters (a start, a closure, a screen): within these bounds, so a typo like 0020 is refused. */
export const EARLIEST_DATE = '2000-01-01';
export const LATEST_DATE = '2100-12-31';
export const boundedDateSchema = localDateSchema.refine((d) => d >= EARLIEST_DATE && d <= LATEST_DATE, {
  error: `expected a date from ${EARLIEST_DATE} to ${LATEST_DATE}`,
});

export const isoWeekSchema = z
  .string()
  .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, { error: 'expected an ISO week like 2027-W01' });

/** An IANA zone, stored in its canonical spelling (`america/new_york` becomes `America/New_York`). */
export const timezoneSchema = z
  .string()
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/, {
    error: 'expected an IANA time zone like America/New_York',
    abort: true,
  })
  .refine((zone) => IANAZone.isValidZone(zone), {
    error: 'expected an IANA time zone like America/New_York',
  })
  .transform((zone) => new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone);

/** Ids end up in EventBridge Scheduler names, which allow only [0-9a-zA-Z-_.]. */
export const entityIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, {
  error: 'expected 1-40 characters of letters, digits, - _ .',
});

/**
 * E.164, the shape every stored number has. Whether the number can exist is checked where a
 * person types it (phone.schema.ts, on the API): stored items and scenario files need only the
 * shape, and the jobs' bundles stay without the numbering-plan metadata.
 */
export const phoneSchema = z
  .string()
  .regex(/^\+[1-9]\d{7,14}$/, { error: 'expected E.164 like +12025550101', abort: true });

export const utcInstantSchema = z.iso.datetime({ error: 'expected a UTC instant like 2027-01-04T15:00:00Z' });

/** An instant a person enters (a reschedule, a consent): within the same bounds as dates. */
export const boundedInstantSchema = utcInstantSchema.refine(
  (i) => i >= EARLIEST_DATE && i <= `${LATEST_DATE}T23:59:59.999Z`,
  { error: `expected an instant from ${EARLIEST_DATE} to ${LATEST_DATE}` },
);

/** A weekly recurring window of local time, e.g. availability or busy hours. */
export const weeklyWindowSchema = z
  .object({
    days: z.array(dayOfWeekSchema).min(1, { error: 'expected at least one day' }).max(7),
    start: localTimeSchema,
    end: localTimeSchema,
  })
  .strict()
  .refine((w) => w.start < w.end, { error: 'expected start before end', path: ['end'] });
export type WeeklyWindow = z.infer<typeof weeklyWindowSchema>;

export const quietHoursSchema = z.object({ start: localTimeSchema, end: localTimeSchema }).strict();
export type QuietHours = z.infer<typeof quietHoursSchema>;
