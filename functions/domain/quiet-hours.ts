import type { QuietHours } from './common.schema.ts';
import { addDays, localDateOf, localTimeOf, localToUtc, minutesOfDay } from './zoned-time.ts';

/** Whether a local minute-of-day falls in the quiet period (which may span midnight, e.g. 21:00–08:00). */
export function isQuietMinute(minute: number, quiet: QuietHours): boolean {
  const start = minutesOfDay(quiet.start);
  const end = minutesOfDay(quiet.end);
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

export function isQuiet(instant: string, quiet: QuietHours, zone: string): boolean {
  return isQuietMinute(minutesOfDay(localTimeOf(instant, zone)), quiet);
}

/** The instant a message due at `instant` may go out: itself, or the end of the quiet period it falls in. */
export function endOfQuiet(instant: string, quiet: QuietHours, zone: string): string {
  if (!isQuiet(instant, quiet, zone)) return instant;
  const date = localDateOf(instant, zone);
  const minute = minutesOfDay(localTimeOf(instant, zone));
  const endsTomorrow =
    minutesOfDay(quiet.start) > minutesOfDay(quiet.end) && minute >= minutesOfDay(quiet.start);
  return localToUtc(endsTomorrow ? addDays(date, 1) : date, quiet.end, zone);
}
