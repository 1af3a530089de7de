import type { Client } from '../domain/client.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import {
  missedNoteJobName,
  missedNoteMessageKey,
  planUntimedMessage,
  quietHoursFor,
  sessionSubject,
} from '../domain/reminders.ts';
import type { AttendanceStatus, Session } from '../domain/session.schema.ts';
import { attendanceTooEarly } from '../domain/session-conflicts.ts';
import { formatLocalDayTime, smsTemplatesFor } from '../domain/sms-templates.ts';
import { alertCareTeam } from './care-team.ts';
import { withConflictRetry } from './conflict-retry.ts';
import { ConflictError, type Deps, type EngagementPorts, NotFoundError, type Ports } from './deps.ts';
import { afterEngagementChange } from './engagement-hook.ts';
import { sendClientSms } from './send-sms.ts';
import { loadSessionContext } from './session-context.ts';

/**
 * Staff record attendance (or a check-in): only from 30 minutes before the session's start, a
 * 409 before then; see recordAttendance.
 */
export async function recordStaffAttendance(
  deps: EngagementPorts,
  input: { programId: string; sessionId: string; status: AttendanceStatus },
): Promise<Session> {
  const session = await deps.sessions.getSession(input.programId, input.sessionId);
  if (!session) throw new NotFoundError(`session ${input.sessionId} does not exist`);
  const tooEarly = attendanceTooEarly(session, deps.clock.now());
  if (tooEarly) throw new ConflictError(tooEarly);
  return recordAttendance(deps, input);
}

/**
 * Records attendance (check-in, staff entry). A cancelled session takes none. The write is
 * conditional on the session's version and re-read on conflict, so a check-in racing the
 * attendance check always lands: before the check it wins outright, after it the session becomes
 * a late arrival (present, `missedAt` kept) and nothing more is sent.
 */
export async function recordAttendance(
  deps: EngagementPorts,
  input: { programId: string; sessionId: string; status: AttendanceStatus },
): Promise<Session> {
  const result = await withConflictRetry(async () => {
    const session = await deps.sessions.getSession(input.programId, input.sessionId);
    if (!session) throw new NotFoundError(`session ${input.sessionId} does not exist`);
    if (session.status === 'cancelled') throw new ConflictError(`session ${input.sessionId} is cancelled`);
    if (session.attendance === input.status) return { session, changed: false };
    const updated: Session = { ...session, attendance: input.status, version: session.version + 1 };
    return (await deps.sessions.replaceSession(updated, session.version))
      ? { session: updated, changed: true }
      : undefined;
  }, `session ${input.sessionId}`);
  if (!result.changed) return result.session;
  const session = result.session;
  await deps.activity.record({
    type: 'attendance.recorded',
    sessionId: session.sessionId,
    clientId: session.clientId,
    status: input.status,
  });
  await afterEngagementChange(deps, input.programId, session.clientId, {
    attended: input.status === 'present',
  });
  return session;
}

/**
 * At start + grace: no check-in means missed. The absence and `missedAt` are written once
 * (conditionally); the care-team alert, the client's neutral note (moved out of quiet hours) and
 * the engagement evaluation are each ensured, so a retry after any failed step finishes the rest
 * and repeats nothing.
 */
export async function checkAttendance(
  deps: EngagementPorts & Ports<'sms'>,
  input: { programId: string; sessionId: string; start?: string | undefined },
) {
  const ctx = await loadSessionContext(deps, input.programId, input.sessionId);
  if (!ctx) return { skipped: 'gone' };
  const { program, client } = ctx;
  // A client who left (discharge, completion) is no one's miss: nothing is recorded or sent.
  if (client.status !== 'active') return { skipped: `the client is ${client.status}` };
  let session = ctx.session;
  for (let attempt = 1; ; attempt++) {
    if (input.start !== undefined && input.start !== session.start) return { skipped: 'the session moved' };
    if (session.status === 'cancelled') return { skipped: 'cancelled' };
    if (session.attendance === 'present' || session.attendance === 'excused') return { attended: true };
    if (session.missedAt) break;
    const now = deps.clock.now();
    const missed: Session = { ...session, attendance: 'absent', missedAt: now, version: session.version + 1 };
    if (await deps.sessions.replaceSession(missed, session.version)) {
      if (session.attendance !== 'absent') {
        await deps.activity.record({
          type: 'attendance.recorded',
          sessionId: session.sessionId,
          clientId: client.id,
          status: 'absent',
        });
      }
      await deps.activity.record({
        type: 'session.missed',
        sessionId: session.sessionId,
        clientId: client.id,
      });
      session = missed;
      break;
    }
    // A check-in (or staff) changed the session meanwhile: decide again on what it is now.
    if (attempt >= 5) throw new ConflictError(`session ${input.sessionId} keeps changing`);
    const fresh = await deps.sessions.getSession(input.programId, input.sessionId);
    if (!fresh) return { skipped: 'gone' };
    session = fresh;
  }
  await alertCareTeam(deps, {
    programId: program.id,
    clientId: client.id,
    reason: 'missed-session',
    subjectId: sessionSubject(session),
    text: `Missed ${session.kind} session ${formatLocalDayTime(session.start, program.timezone)} (no check-in ${program.missedSession.graceMinutes} minutes after start).`,
  });
  await sendMissedNote(deps, program, session, client);
  await afterEngagementChange(deps, program.id, client.id);
  return { missed: true };
}

/** The client's neutral missed-session note: now, or at the end of quiet hours through a `mis-` job. */
export async function sendMissedNote(
  deps: Pick<Deps, 'scheduler' | 'sms' | 'ledger' | 'clock' | 'activity' | 'log'>,
  program: Program,
  session: Session,
  client: Client,
) {
  // A late arrival after the miss was recorded gets no "we missed you".
  if (session.attendance !== 'absent') return { skipped: 'the client arrived' };
  const now = deps.clock.now();
  const sendAt = planUntimedMessage(now, quietHoursFor(program, client), program.timezone);
  if (sendAt !== now) {
    await deps.scheduler.scheduleOnce({
      name: missedNoteJobName(session.sessionId),
      target: 'send-reminder',
      at: sendAt,
      payload: {
        programId: program.id,
        sessionId: session.sessionId,
        purpose: 'missed-session',
        start: session.start,
      },
    });
    return { deferred: sendAt };
  }
  return sendClientSms(deps, {
    program,
    client,
    purpose: 'missed-session',
    key: missedNoteMessageKey(session),
    body: smsTemplatesFor(client.language)['missed-session']({
      programName: program.name,
      start: session.start,
      zone: program.timezone,
    }),
    context: { sessionId: session.sessionId },
  });
}
