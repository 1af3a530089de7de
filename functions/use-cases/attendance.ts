import { planUntimedMessage } from '../domain/reminder-plan.ts';
import type { AttendanceStatus, Session } from '../domain/session.schema.ts';
import { missedNoteJobName, quietHoursFor } from '../domain/session-jobs.ts';
import { formatLocalDayTime, smsTemplates } from '../domain/sms-templates.ts';
import { alertCareTeam } from './care-team.ts';
import { ConflictError, type Deps, NotFoundError } from './deps.ts';
import { afterEngagementChange } from './engagement-hook.ts';
import { sendClientSms } from './send-sms.ts';
import { loadSessionContext } from './session-context.ts';

/** Records attendance (check-in, staff entry). A cancelled session takes none. */
export async function recordAttendance(
  deps: Deps,
  input: { programId: string; sessionId: string; status: AttendanceStatus },
): Promise<Session> {
  const session = await deps.sessions.getSession(input.programId, input.sessionId);
  if (!session) throw new NotFoundError(`session ${input.sessionId} does not exist`);
  if (session.status === 'cancelled') throw new ConflictError(`session ${input.sessionId} is cancelled`);
  if (session.attendance === input.status) return session;
  const updated = { ...session, attendance: input.status };
  if (!(await deps.sessions.replaceSession(updated, session.version))) {
    throw new ConflictError(`session ${input.sessionId} changed meanwhile; read it again`);
  }
  await deps.activity.record({
    type: 'attendance.recorded',
    sessionId: session.sessionId,
    clientId: session.clientId,
    status: input.status,
  });
  await afterEngagementChange(deps, input.programId, session.clientId, {
    attended: input.status === 'present',
  });
  return updated;
}

/**
 * At start + grace: no "present" means missed. The client gets a neutral note (moved out of quiet
 * hours), the care team an alert with the client id and a link.
 */
export async function checkAttendance(deps: Deps, input: { programId: string; sessionId: string }) {
  const ctx = await loadSessionContext(deps, input.programId, input.sessionId);
  if (!ctx) return { skipped: 'gone' };
  const { program, session, client } = ctx;
  if (session.status === 'cancelled') return { skipped: 'cancelled' };
  if (session.attendance === 'present' || session.attendance === 'excused') return { attended: true };
  if (session.attendance !== 'absent') {
    const updated = { ...session, attendance: 'absent' as const };
    if (!(await deps.sessions.replaceSession(updated, session.version)))
      return { skipped: 'changed meanwhile' };
    await deps.activity.record({
      type: 'attendance.recorded',
      sessionId: session.sessionId,
      clientId: client.id,
      status: 'absent',
    });
  }
  await deps.activity.record({ type: 'session.missed', sessionId: session.sessionId, clientId: client.id });
  await alertCareTeam(deps, {
    programId: program.id,
    clientId: client.id,
    reason: 'missed-session',
    subjectId: session.sessionId,
    text: `Missed ${session.kind} session ${formatLocalDayTime(session.start, program.timezone)} (no check-in ${program.missedSession.graceMinutes} minutes after start).`,
  });
  const now = deps.clock.now();
  const sendAt = planUntimedMessage(now, quietHoursFor(program, client), program.timezone);
  if (sendAt === now) {
    await sendClientSms(deps, {
      program,
      client,
      purpose: 'missed-session',
      key: { programId: program.id, subjectId: session.sessionId, purpose: 'missed-session' },
      body: smsTemplates['missed-session']({
        programName: program.name,
        start: session.start,
        zone: program.timezone,
      }),
      context: { sessionId: session.sessionId },
    });
  } else {
    await deps.scheduler.scheduleOnce({
      name: missedNoteJobName(session.sessionId),
      target: 'send-reminder',
      at: sendAt,
      payload: { programId: program.id, sessionId: session.sessionId, purpose: 'missed-session' },
    });
  }
  await afterEngagementChange(deps, program.id, client.id);
  return { missed: true };
}
