import type { Client } from './client.schema.ts';
import type { OneTimeJob } from './job.schema.ts';
import type { Program } from './program.schema.ts';
import {
  missedNoteJobName,
  planReminder,
  quietHoursFor,
  reminderFireTime,
  reminderJobName,
} from './reminders.ts';
import type { Session } from './session.schema.ts';
import { addMinutes } from './zoned-time.ts';

export const attendanceJobName = (sessionId: string) => `att-${sessionId}`;

/** Every job name a session may have, for deleting them all when it is cancelled or moved. */
export function sessionJobNames(program: Program, sessionId: string): string[] {
  return [
    ...program.reminders.offsetsMinutes.map((o) => reminderJobName(sessionId, o)),
    attendanceJobName(sessionId),
    missedNoteJobName(sessionId),
  ];
}

/**
 * The one-time jobs of a session: a reminder per offset (at its send time after quiet-hours
 * deferral, or at its due time when it will be suppressed, so the suppression is recorded when it
 * happens) and the attendance check at start + grace. Each carries the start it was made for.
 * Jobs whose time is past are left out: a schedule is never created in the past, and a past
 * reminder is not sent late.
 */
export function jobsForSession(
  program: Program,
  session: Session,
  client: Client | undefined,
  now: string,
): OneTimeJob[] {
  if (session.status === 'cancelled') return [];
  const quiet = quietHoursFor(program, client);
  const jobs: OneTimeJob[] = program.reminders.offsetsMinutes.map((offsetMinutes) => ({
    name: reminderJobName(session.sessionId, offsetMinutes),
    target: 'send-reminder',
    at: reminderFireTime(planReminder(session.start, offsetMinutes, quiet, program.timezone)),
    payload: {
      programId: program.id,
      sessionId: session.sessionId,
      purpose: 'reminder',
      offsetMinutes,
      start: session.start,
    },
  }));
  jobs.push({
    name: attendanceJobName(session.sessionId),
    target: 'check-attendance',
    at: addMinutes(session.start, program.missedSession.graceMinutes),
    payload: { programId: program.id, sessionId: session.sessionId, start: session.start },
  });
  return jobs.filter((job) => job.at > now);
}
