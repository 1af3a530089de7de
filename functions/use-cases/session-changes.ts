import type { Program } from '../domain/program.schema.ts';
import { planReminder } from '../domain/reminder-plan.ts';
import type { Session } from '../domain/session.schema.ts';
import { quietHoursFor } from '../domain/session-jobs.ts';
import { addMinutes, isoWeekOf, localDateOf, minutesBetween } from '../domain/zoned-time.ts';
import { ConflictError, type Deps, NotFoundError } from './deps.ts';
import { cancelSessionJobs, scheduleSessionJobs } from './session-jobs.ts';

/**
 * Cancels a session: its schedules are deleted, the reminders still to come are recorded as
 * suppressed (`cancelled`), and any job that fires anyway finds the session cancelled.
 */
export async function cancelSession(deps: Deps, program: Program, session: Session): Promise<Session> {
  if (session.status === 'cancelled') return session;
  const cancelled: Session = { ...session, status: 'cancelled', version: session.version + 1 };
  if (!(await deps.sessions.replaceSession(cancelled, session.version))) {
    throw new ConflictError(`session ${session.sessionId} changed meanwhile; read it again`);
  }
  await cancelSessionJobs(deps, program, [session]);
  await deps.activity.record({
    type: 'session.cancelled',
    sessionId: session.sessionId,
    clientId: session.clientId,
  });
  const now = deps.clock.now();
  const client = await deps.clients.getClient(program.id, session.clientId);
  for (const offsetMinutes of program.reminders.offsetsMinutes) {
    const decision = planReminder(
      session.start,
      offsetMinutes,
      quietHoursFor(program, client),
      program.timezone,
    );
    const due = decision.action === 'send' ? decision.at : decision.dueAt;
    if (due <= now) continue;
    const key = { programId: program.id, subjectId: session.sessionId, purpose: 'reminder', offsetMinutes };
    if (!(await deps.ledger.claim(key, now))) continue;
    await deps.ledger.confirm(key, 'suppressed:cancelled', now);
    await deps.activity.record({
      type: 'sms.suppressed',
      clientId: session.clientId,
      purpose: 'reminder',
      sessionId: session.sessionId,
      offsetMinutes,
      reason: 'cancelled',
    });
  }
  return cancelled;
}

export async function cancelSessionById(deps: Deps, programId: string, sessionId: string): Promise<Session> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const session = await deps.sessions.getSession(programId, sessionId);
  if (!session) throw new NotFoundError(`session ${sessionId} does not exist`);
  return cancelSession(deps, program, session);
}

/** Moves a session: same id, new time, version bumped; the old schedules are deleted and recreated. */
export async function rescheduleSession(
  deps: Deps,
  input: { programId: string; sessionId: string; start: string },
): Promise<Session> {
  const program = await deps.programs.getProgram(input.programId);
  if (!program) throw new NotFoundError(`program ${input.programId} does not exist`);
  const session = await deps.sessions.getSession(input.programId, input.sessionId);
  if (!session) throw new NotFoundError(`session ${input.sessionId} does not exist`);
  if (session.status === 'cancelled') throw new ConflictError(`session ${input.sessionId} is cancelled`);
  if (input.start <= deps.clock.now())
    throw new ConflictError('start: a session cannot be moved into the past');
  const minutes = minutesBetween(session.start, session.end);
  // A make-up slot starts clean: no attendance carried over, so its own miss is detected and alerted.
  const { attendance: _, ...rest } = session;
  const moved: Session = {
    ...rest,
    start: input.start,
    end: addMinutes(input.start, minutes),
    date: localDateOf(input.start, program.timezone),
    week: isoWeekOf(input.start, program.timezone),
    version: session.version + 1,
  };
  if (!(await deps.sessions.replaceSession(moved, session.version))) {
    throw new ConflictError(`session ${input.sessionId} changed meanwhile; read it again`);
  }
  await deps.activity.record({
    type: 'session.rescheduled',
    sessionId: moved.sessionId,
    clientId: moved.clientId,
    start: moved.start,
    end: moved.end,
    date: moved.date,
  });
  await cancelSessionJobs(deps, program, [session]);
  await scheduleSessionJobs(deps, program, [moved]);
  return moved;
}
