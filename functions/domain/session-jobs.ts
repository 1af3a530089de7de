import type { Client } from './client.schema.ts';
import type { QuietHours } from './common.schema.ts';
import type { OneTimeJob } from './job.schema.ts';
import type { Program } from './program.schema.ts';
import { planReminder } from './reminder-plan.ts';
import type { Session } from './session.schema.ts';
import { addMinutes } from './zoned-time.ts';

export const reminderJobName = (sessionId: string, offsetMinutes: number) =>
  `rem-${sessionId}-${offsetMinutes}`;
export const attendanceJobName = (sessionId: string) => `att-${sessionId}`;
export const missedNoteJobName = (sessionId: string) => `mis-${sessionId}`;

export function quietHoursFor(program: Program, client?: Pick<Client, 'quietHours'>): QuietHours {
  return client?.quietHours ?? program.quietHours;
}

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
 * happens) and the attendance check at start + grace. Jobs whose time is past are left out: a
 * schedule is never created in the past, and a past reminder is not sent late.
 */
export function jobsForSession(
  program: Program,
  session: Session,
  client: Client | undefined,
  now: string,
): OneTimeJob[] {
  if (session.status === 'cancelled') return [];
  const quiet = quietHoursFor(program, client);
  const jobs: OneTimeJob[] = program.reminders.offsetsMinutes.map((offsetMinutes) => {
    const decision = planReminder(session.start, offsetMinutes, quiet, program.timezone);
    return {
      name: reminderJobName(session.sessionId, offsetMinutes),
      target: 'send-reminder',
      at: decision.action === 'send' ? decision.at : decision.dueAt,
      payload: {
        programId: program.id,
        sessionId: session.sessionId,
        purpose: 'reminder',
        offsetMinutes,
        version: session.version,
      },
    };
  });
  jobs.push({
    name: attendanceJobName(session.sessionId),
    target: 'check-attendance',
    at: addMinutes(session.start, program.missedSession.graceMinutes),
    payload: { programId: program.id, sessionId: session.sessionId, version: session.version },
  });
  return jobs.filter((job) => job.at > now);
}
