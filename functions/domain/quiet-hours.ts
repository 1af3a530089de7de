import type { QuietHours } from './common.schema.ts';
import { addDays, addMinutes, localDateOf, localTimeOf, localToUtc, minutesOfDay } from './zoned-time.ts';

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
  let end = localToUtc(endsTomorrow ? addDays(date, 1) : date, quiet.end, zone);
  // On the nights clocks change, the wall-clock end may not exist (it is skipped) or may happen
  // twice: the quiet period ends at the first instant after its last quiet minute.
  for (let i = 0; i < 120 && addMinutes(end, -1) > instant && !isQuiet(addMinutes(end, -1), quiet, zone); i++)
    end = addMinutes(end, -1);
  // A short window between two quiet periods can be skipped altogether: the message waits for the next.
  return isQuiet(end, quiet, zone) && end > instant ? endOfQuiet(end, quiet, zone) : end;
}
