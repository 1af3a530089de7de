import type { QuietHours } from './common.schema.ts';
import { endOfQuiet } from './quiet-hours.ts';
import { addMinutes } from './zoned-time.ts';

/** A deferred reminder still goes out only if it is at least this long before the session. */
export const MIN_LEAD_AFTER_DEFERRAL_MINUTES = 30;

export type ReminderDecision =
  | { action: 'send'; at: string; dueAt: string; deferred: boolean }
  | { action: 'suppress'; reason: 'quiet-hours'; dueAt: string };

/**
 * When a reminder `offsetMinutes` of elapsed time before `sessionStart` goes out. Due inside quiet
 * hours, it moves to their end, and is kept only if that is still 30 minutes or more before the session.
 */
export function planReminder(
  sessionStart: string,
  offsetMinutes: number,
  quiet: QuietHours,
  zone: string,
): ReminderDecision {
  const dueAt = addMinutes(sessionStart, -offsetMinutes);
  const at = endOfQuiet(dueAt, quiet, zone);
  if (at === dueAt) return { action: 'send', at, dueAt, deferred: false };
  if (at <= addMinutes(sessionStart, -MIN_LEAD_AFTER_DEFERRAL_MINUTES))
    return { action: 'send', at, dueAt, deferred: true };
  return { action: 'suppress', reason: 'quiet-hours', dueAt };
}

/** A message not tied to a session start (missed-session note, screen notice): sent now, or when quiet hours end. */
export function planUntimedMessage(dueAt: string, quiet: QuietHours, zone: string): string {
  return endOfQuiet(dueAt, quiet, zone);
}
