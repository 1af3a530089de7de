import type { Client } from './client.schema.ts';
import type { QuietHours } from './common.schema.ts';
import type { Program } from './program.schema.ts';
import { endOfQuiet } from './quiet-hours.ts';
import type { Session } from './session.schema.ts';
import { addMinutes, minutesBetween } from './zoned-time.ts';

/**
 * Reminders and missed-session notes in one place: when each goes out (the plan), whether a job
 * firing now still matches it (the still-due check), the job's name, and the message's identity
 * in the exactly-once ledger.
 */

/** A deferred reminder still goes out only if it is at least this long before the session. */
export const MIN_LEAD_AFTER_DEFERRAL_MINUTES = 30;

/** A schedule fires within a minute and may be retried; beyond this its time no longer matches the plan. */
const FIRE_TOLERANCE_MINUTES = 15;

export type ReminderDecision =
  | { action: 'send'; at: string; dueAt: string; deferred: boolean }
  | { action: 'suppress'; reason: 'quiet-hours'; dueAt: string };

export function quietHoursFor(program: Program, client?: Pick<Client, 'quietHours'>): QuietHours {
  return client?.quietHours ?? program.quietHours;
}

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

/** The instant a reminder's job fires: its send time, or its due time when it will be suppressed (recorded then). */
export const reminderFireTime = (decision: ReminderDecision) =>
  decision.action === 'send' ? decision.at : decision.dueAt;

/** A message not tied to a session start (missed-session note, screen notice): sent now, or when quiet hours end. */
export function planUntimedMessage(dueAt: string, quiet: QuietHours, zone: string): string {
  return endOfQuiet(dueAt, quiet, zone);
}

export type ReminderVerdict =
  | { action: 'send' }
  | { action: 'suppress'; reason: 'quiet-hours' | 'cancelled' }
  | { action: 'skip'; why: string };

/**
 * What a reminder job firing at `now` does. `scheduledTime` is when its schedule was due (a late
 * delivery or a retry keeps it), `start` the session start the job was made for (older jobs lack it).
 * A job made for another start, or due at another time than the plan for the session as it is now,
 * belongs to a moved session and does nothing, as does one at an offset the program no longer has;
 * a reminder never goes out once the session started, nor inside quiet hours.
 */
export function reminderVerdict(input: {
  program: Program;
  client: Client;
  session: Session;
  offsetMinutes: number;
  start?: string | undefined;
  scheduledTime: string;
  now: string;
}): ReminderVerdict {
  const { program, client, session, now } = input;
  if (input.start !== undefined && input.start !== session.start)
    return { action: 'skip', why: 'not due: the session moved' };
  // The program's offsets changed after the job was made (PUT /programs): its job may still fire.
  if (!program.reminders.offsetsMinutes.includes(input.offsetMinutes))
    return { action: 'skip', why: 'not due: the program no longer reminds at this offset' };
  const quiet = quietHoursFor(program, client);
  const decision = planReminder(session.start, input.offsetMinutes, quiet, program.timezone);
  if (Math.abs(minutesBetween(reminderFireTime(decision), input.scheduledTime)) > FIRE_TOLERANCE_MINUTES)
    return { action: 'skip', why: 'not due: the session moved' };
  if (now >= session.start) return { action: 'skip', why: 'too late: the session has started' };
  if (session.status === 'cancelled') return { action: 'suppress', reason: 'cancelled' };
  if (decision.action === 'suppress') return { action: 'suppress', reason: 'quiet-hours' };
  // Delivered late (retries) into quiet hours: never sent at night.
  if (endOfQuiet(now, quiet, program.timezone) !== now) return { action: 'suppress', reason: 'quiet-hours' };
  return { action: 'send' };
}

/** The identity of a message in the exactly-once ledger. */
export interface MessageKey {
  programId: string;
  /** What the message is about: a session at a start, a screen, a flag. */
  subjectId: string;
  purpose: string;
  offsetMinutes?: number;
}

/** A session at one start: a moved session is a new subject, so its reminders and its miss start clean. */
export const sessionSubject = (session: Pick<Session, 'sessionId' | 'start'>) =>
  `${session.sessionId}@${session.start}`;

export const reminderMessageKey = (
  session: Pick<Session, 'programId' | 'sessionId' | 'start'>,
  offsetMinutes: number,
): MessageKey => ({
  programId: session.programId,
  subjectId: sessionSubject(session),
  purpose: 'reminder',
  offsetMinutes,
});

export const missedNoteMessageKey = (
  session: Pick<Session, 'programId' | 'sessionId' | 'start'>,
): MessageKey => ({
  programId: session.programId,
  subjectId: sessionSubject(session),
  purpose: 'missed-session',
});

export const reminderJobName = (sessionId: string, offsetMinutes: number) =>
  `rem-${sessionId}-${offsetMinutes}`;
export const missedNoteJobName = (sessionId: string) => `mis-${sessionId}`;
