import type { Program } from '../domain/program.schema.ts';
import { planReminder, quietHoursFor, reminderFireTime, reminderMessageKey } from '../domain/reminders.ts';
import type { Session } from '../domain/session.schema.ts';
import { rescheduleConflict } from '../domain/session-conflicts.ts';
import { addMinutes, isoWeekOf, localDateOf, minutesBetween } from '../domain/zoned-time.ts';
import { withConflictRetry } from './conflict-retry.ts';
import { ConflictError, NotFoundError, type Ports } from './deps.ts';
import { cancelSessionJobs, scheduleSessionJobs } from './session-jobs.ts';

/**
 * Cancels a session: its schedules are deleted, the reminders still to come are recorded as
 * suppressed (`cancelled`), and any job that fires anyway finds the session cancelled. The write
 * is conditional on the session's version, re-read on conflict (a check-in or a move meanwhile).
 * Called again on a cancelled session, it finishes what a failed call left undone.
 */
export async function cancelSession(
  deps: Ports<'sessions' | 'scheduler' | 'activity' | 'clock' | 'clients' | 'ledger'>,
  program: Program,
  session: Session,
): Promise<Session> {
  let current = session;
  let cancelledHere = false;
  const cancelled = await withConflictRetry(async () => {
    if (current.status === 'cancelled') return current;
    const next: Session = { ...current, status: 'cancelled', version: current.version + 1 };
    if (await deps.sessions.replaceSession(next, current.version)) {
      cancelledHere = true;
      return next;
    }
    const fresh = await deps.sessions.getSession(program.id, session.sessionId);
    if (!fresh) throw new NotFoundError(`session ${session.sessionId} does not exist`);
    current = fresh;
    return undefined;
  }, `session ${session.sessionId}`);
  if (cancelledHere) {
    await deps.activity.record({
      type: 'session.cancelled',
      sessionId: session.sessionId,
      clientId: session.clientId,
    });
  }
  // Ensured on every call, so a retry after a failure here finishes them: deleting jobs by name
  // and claiming each suppression in the ledger are idempotent.
  await cancelSessionJobs(deps, program, [cancelled]);
  const now = deps.clock.now();
  const client = await deps.clients.getClient(program.id, session.clientId);
  for (const offsetMinutes of program.reminders.offsetsMinutes) {
    const decision = planReminder(
      cancelled.start,
      offsetMinutes,
      quietHoursFor(program, client),
      program.timezone,
    );
    if (reminderFireTime(decision) <= now) continue;
    if (
      !(await deps.ledger.settle(reminderMessageKey(cancelled, offsetMinutes), 'suppressed:cancelled', now))
    )
      continue;
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

export async function cancelSessionById(
  deps: Ports<'programs' | 'sessions' | 'scheduler' | 'activity' | 'clock' | 'clients' | 'ledger'>,
  programId: string,
  sessionId: string,
): Promise<Session> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const session = await deps.sessions.getSession(programId, sessionId);
  if (!session) throw new NotFoundError(`session ${sessionId} does not exist`);
  return cancelSession(deps, program, session);
}

/** Moves a session: same id, new time, version bumped; the old schedules are deleted and recreated. */
export async function rescheduleSession(
  deps: Ports<'programs' | 'sessions' | 'scheduler' | 'activity' | 'clock' | 'clients'>,
  input: { programId: string; sessionId: string; start: string },
): Promise<Session> {
  const program = await deps.programs.getProgram(input.programId);
  if (!program) throw new NotFoundError(`program ${input.programId} does not exist`);
  if (input.start <= deps.clock.now())
    throw new ConflictError('start: a session cannot be moved into the past');
  let movedHere = false;
  let before: Session | undefined;
  const moved = await withConflictRetry(async () => {
    const session = await deps.sessions.getSession(input.programId, input.sessionId);
    if (!session) throw new NotFoundError(`session ${input.sessionId} does not exist`);
    if (session.status === 'cancelled') throw new ConflictError(`session ${input.sessionId} is cancelled`);
    // Moved there already (a retried request): its jobs are ensured below, nothing else changes.
    if (session.start === input.start) return session;
    const minutes = minutesBetween(session.start, session.end);
    // A make-up slot starts clean: no attendance carried over, so its own miss is detected and
    // alerted; no confirmation either, which was for the old time.
    const { attendance: _, missedAt: __, confirmedAt: ___, ...rest } = session;
    const next: Session = {
      ...rest,
      start: input.start,
      end: addMinutes(input.start, minutes),
      date: localDateOf(input.start, program.timezone),
      week: isoWeekOf(input.start, program.timezone),
      version: session.version + 1,
    };
    if (!(await deps.sessions.replaceSession(next, session.version))) return undefined;
    movedHere = true;
    before = session;
    return next;
  }, `session ${input.sessionId}`);
  if (movedHere) {
    await deps.activity.record({
      type: 'session.rescheduled',
      sessionId: moved.sessionId,
      clientId: moved.clientId,
      start: moved.start,
      end: moved.end,
      date: moved.date,
    });
  }
  // Old jobs whose new time is already past would otherwise linger (they find another start and
  // do nothing); the new ones replace the rest by name.
  if (before) await cancelSessionJobs(deps, program, [before]);
  await scheduleSessionJobs(deps, program, [moved]);
  return moved;
}

/**
 * Staff move a session to `start` (any UTC instant; stored normalised): a move onto another
 * session of the client (or of the clinician), or outside the clinician's availability, is a 409
 * naming the conflict and nothing is written; otherwise see rescheduleSession.
 */
export async function moveSession(
  deps: Ports<'programs' | 'sessions' | 'scheduler' | 'activity' | 'clock' | 'clients'>,
  input: { programId: string; sessionId: string; start: string },
): Promise<Session> {
  const start = addMinutes(input.start, 0);
  await checkReschedule(deps, input.programId, input.sessionId, start);
  return rescheduleSession(deps, { programId: input.programId, sessionId: input.sessionId, start });
}

async function checkReschedule(
  deps: Ports<'programs' | 'sessions'>,
  programId: string,
  sessionId: string,
  start: string,
) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const session = await deps.sessions.getSession(programId, sessionId);
  if (!session) throw new NotFoundError(`session ${sessionId} does not exist`);
  const end = addMinutes(start, minutesBetween(session.start, session.end));
  // Sessions last at most 8 hours: any that overlaps [start, end) starts after start - 8 h.
  const clientSessions = await deps.sessions.listSessionsByClient(programId, session.clientId, {
    from: addMinutes(start, -8 * 60),
    to: end,
  });
  const clinicianId = session.kind === 'group' ? undefined : session.clinicianId;
  const weekSessions = clinicianId
    ? (
        await Promise.all(
          [...new Set([isoWeekOf(start, program.timezone), isoWeekOf(end, program.timezone)])].map((w) =>
            deps.sessions.listSessionsByWeek(programId, w),
          ),
        )
      )
        .flat()
        .filter((s) => s.clinicianId === clinicianId)
    : [];
  const clinician = clinicianId
    ? (await deps.programs.listClinicians(programId)).find((c) => c.id === clinicianId)
    : undefined;
  const conflict = rescheduleConflict({
    session,
    start,
    end,
    others: [...clientSessions, ...weekSessions],
    ...(clinician ? { clinician } : {}),
    zone: program.timezone,
  });
  if (conflict) throw new ConflictError(`start: ${conflict}`);
}
