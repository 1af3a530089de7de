import { isDeepStrictEqual } from 'node:util';
import type { Clinician } from '../domain/clinician.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import { replanGroupSessions } from '../domain/program-changes.ts';
import { nextWeekIsDue, recurringJobNames, recurringJobsFor } from '../domain/recurring-jobs.ts';
import { reminderJobName } from '../domain/reminders.ts';
import type { Session } from '../domain/session.schema.ts';
import { isoWeekOf, nextIsoWeek } from '../domain/zoned-time.ts';
import type { PageRequest } from '../ports/repository.port.ts';
import { withConflictRetry } from './conflict-retry.ts';
import { ConflictError, NotFoundError, type Ports } from './deps.ts';
import { generateWeek } from './generate-week.ts';
import { cancelSession } from './session-changes.ts';
import { cancelSessionJobs } from './session-jobs.ts';

/** What changing a program touches: the program, its clients' sessions and every schedule. */
type ProgramPorts = Ports<
  'programs' | 'clients' | 'sessions' | 'flags' | 'scheduler' | 'clock' | 'activity' | 'log' | 'ledger'
>;

/** Stored and requested programs compared as JSON (a stored item has no undefined fields). */
const sameProgram = (a: Program, b: Program) =>
  isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));

/**
 * Creates a program and its recurring schedules (weekly generation, sweep, draws). The program
 * write is the commit point; a retried request with the same program (the first one failed after
 * writing it) creates the schedules again by name; a different program under that id is a 409.
 */
export async function createProgram(
  deps: Ports<'programs' | 'scheduler'>,
  program: Program,
): Promise<Program> {
  if (!(await deps.programs.createProgram(program))) {
    const stored = await deps.programs.getProgram(program.id);
    if (!stored || !sameProgram(stored, program))
      throw new ConflictError(`program ${program.id} exists already`);
  }
  for (const job of recurringJobsFor(program)) await deps.scheduler.scheduleRecurring(job);
  return program;
}

/**
 * Creates or replaces a program's recurring schedules by name, and deletes its draw schedule when
 * it no longer draws. Idempotent: the local runtime calls it for every program when it starts.
 */
export async function ensureRecurringJobs(deps: Ports<'scheduler'>, program: Program): Promise<void> {
  const jobs = recurringJobsFor(program);
  for (const job of jobs) await deps.scheduler.scheduleRecurring(job);
  const stale = Object.values(recurringJobNames(program.id)).filter((n) => !jobs.some((j) => j.name === n));
  if (stale.length) await deps.scheduler.cancel(stale);
}

/**
 * Replaces a program. Refused (409, nothing written) while active clients are on a track it
 * removes. Then, in order, each step idempotent and re-driven by a retried request:
 * 1. the coming group sessions the change moves or removes are moved or cancelled (with their
 *    events and jobs), while the stored program still tells where each was planned;
 * 2. the program is written (the commit point);
 * 3. its recurring schedules follow it (a new weekly day for larger offsets, new draw days, the
 *    draw schedule deleted when it stops drawing);
 * 4. the current week from now on, and the next one when it is generated or due, are generated
 *    again: sessions the change adds are created, and every coming session's reminders and
 *    attendance check are re-created by name at the new offsets, grace and quiet hours.
 */
export async function updateProgram(deps: ProgramPorts, program: Program): Promise<Program> {
  const before = await deps.programs.getProgram(program.id);
  if (!before) throw new NotFoundError(`program ${program.id} does not exist`);
  const clients = await deps.clients.listClients(program.id);
  const inUse = before.tracks
    .filter((t) => !program.tracks.some((k) => k.id === t.id))
    .map((t) => ({ track: t.id, clients: clients.filter((c) => c.status === 'active' && c.track === t.id) }))
    .filter((t) => t.clients.length > 0);
  if (inUse.length > 0) {
    const listed = inUse.map((t) => `${t.track} has active clients ${t.clients.map((c) => c.id).join(', ')}`);
    throw new ConflictError(
      `tracks: ${listed.join('; ')}: move them to another track or discharge them before removing it`,
    );
  }
  if (!sameProgram(before, program)) await replanComingSessions(deps, before, program, clients);
  await deps.programs.putProgram(program);
  await ensureRecurringJobs(deps, program);
  await generateComingWeeks(deps, program);
  return program;
}

/**
 * Deletes a program's recurring schedules, then the program. Refused (409) while it has active
 * clients (discharge or complete them first: that cancels their coming sessions and schedules) or
 * open flags (their escalations would find no program). Its records (clients, sessions, draws,
 * flags) stay. A retry after a failure finishes the deletion; the program is then gone (404).
 */
export async function deleteProgram(deps: ProgramPorts, programId: string): Promise<Program> {
  const program = await deps.programs.getProgram(programId);
  const names = Object.values(recurringJobNames(programId));
  if (!program) {
    await deps.scheduler.cancel(names);
    throw new NotFoundError(`program ${programId} does not exist`);
  }
  const active = (await deps.clients.listClients(programId)).filter((c) => c.status === 'active');
  if (active.length > 0) {
    throw new ConflictError(
      `program ${programId} still has active clients ${active.map((c) => c.id).join(', ')}: discharge or complete them first`,
    );
  }
  const flags = await deps.flags.listOpenFlags(programId);
  if (flags.length > 0) {
    throw new ConflictError(
      `program ${programId} still has open flags ${flags.map((f) => f.flagId).join(', ')}: resolve them first`,
    );
  }
  await deps.scheduler.cancel(names);
  await deps.programs.deleteProgram(programId);
  deps.log.info('program deleted', { programId });
  return program;
}

/** The weeks whose sessions may be stored: the current one and the next, in either time zone. */
function comingWeeks(now: string, ...programs: Program[]): string[] {
  const weeks = programs.flatMap((p) => {
    const week = isoWeekOf(now, p.timezone);
    return [week, nextIsoWeek(week)];
  });
  return [...new Set(weeks)].sort();
}

async function replanComingSessions(
  deps: ProgramPorts,
  before: Program,
  after: Program,
  clients: Awaited<ReturnType<ProgramPorts['clients']['listClients']>>,
): Promise<void> {
  const now = deps.clock.now();
  const droppedOffsets = before.reminders.offsetsMinutes.filter(
    (o) => !after.reminders.offsetsMinutes.includes(o),
  );
  for (const week of comingWeeks(now, before, after)) {
    const stored = await deps.sessions.listSessionsByWeek(before.id, week);
    if (stored.length === 0) continue;
    const replan = replanGroupSessions({ before, after, clients, week, stored, now });
    for (const session of replan.cancel) await cancelSession(deps, before, session);
    for (const move of replan.move) await moveSession(deps, before, move);
    // Reminders at offsets the program drops: their jobs go (one that fires anyway finds the offset gone).
    const coming = stored.filter((s) => s.status !== 'cancelled' && s.start > now);
    if (droppedOffsets.length)
      await deps.scheduler.cancel(
        coming.flatMap((s) => droppedOffsets.map((o) => reminderJobName(s.sessionId, o))),
      );
  }
}

/**
 * Moves a group session to where the changed program puts it, conditional on its version: a
 * session changed meanwhile (checked in, moved or cancelled by staff) is decided on again and kept
 * unless it is still where it was planned. Its old jobs go; the new ones are made once the program
 * is stored (generateComingWeeks).
 */
async function moveSession(
  deps: ProgramPorts,
  program: Program,
  { before, after }: { before: Session; after: Session },
): Promise<void> {
  let moved: Session | undefined;
  await withConflictRetry(async () => {
    const current = await deps.sessions.getSession(program.id, before.sessionId);
    const untouched =
      current &&
      current.status !== 'cancelled' &&
      !current.attendance &&
      !current.missedAt &&
      current.start === before.start &&
      current.end === before.end;
    if (!untouched) return true;
    const next = { ...after, version: current.version + 1 };
    if (!(await deps.sessions.replaceSession(next, current.version))) return undefined;
    moved = next;
    return true;
  }, `session ${before.sessionId}`);
  if (!moved) return;
  if (moved.start !== before.start || moved.end !== before.end) {
    await deps.activity.record({
      type: 'session.rescheduled',
      sessionId: moved.sessionId,
      clientId: moved.clientId,
      start: moved.start,
      end: moved.end,
      date: moved.date,
    });
  }
  await cancelSessionJobs(deps, program, [before]);
}

/**
 * Generates the current week from now on, and the next week when it is stored already or its weekly
 * generation is due: sessions the program now has are created, and every coming session's jobs are
 * re-created by name from the program as it is.
 */
async function generateComingWeeks(deps: ProgramPorts, program: Program): Promise<void> {
  const now = deps.clock.now();
  const thisWeek = isoWeekOf(now, program.timezone);
  const nextWeek = nextIsoWeek(thisWeek);
  await generateWeek(deps, { programId: program.id, week: thisWeek, notBefore: now });
  if (
    nextWeekIsDue(program, now) ||
    (await deps.sessions.listSessionsByWeek(program.id, nextWeek)).length > 0
  )
    await generateWeek(deps, { programId: program.id, week: nextWeek, notBefore: now });
}

/** The program, or a NotFoundError naming it. */
export async function getProgram(deps: Ports<'programs'>, programId: string): Promise<Program> {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  return program;
}

/** Adds or replaces a clinician of an existing program. */
export async function putClinician(
  deps: Ports<'programs'>,
  programId: string,
  clinician: Clinician,
): Promise<Clinician> {
  await getProgram(deps, programId);
  await deps.programs.putClinician(programId, clinician);
  return clinician;
}

/**
 * A page of the programs `visible` names (every program for 'all'): a page may hold fewer than
 * `limit` when some are filtered out; the cursor goes on.
 */
export async function listVisiblePrograms(
  deps: Ports<'programs'>,
  visible: readonly string[] | 'all',
  page: PageRequest,
) {
  const found = await deps.programs.listProgramsPage(page);
  const items = visible === 'all' ? found.items : found.items.filter((p) => visible.includes(p.id));
  return { items, cursor: found.cursor };
}

/** A page of an existing program's clinicians. */
export async function listClinicians(deps: Ports<'programs'>, programId: string, page: PageRequest) {
  await getProgram(deps, programId);
  return deps.programs.listCliniciansPage(programId, page);
}
