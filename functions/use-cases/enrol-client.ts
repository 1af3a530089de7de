import { type Client, type ClientInput, clientSchema } from '../domain/client.schema.ts';
import { nextWeeklyCronTime } from '../domain/cron.ts';
import { deterministicId } from '../domain/ids.ts';
import { individualPolicyFor, type Program } from '../domain/program.schema.ts';
import { recurringJobsFor, weekToGenerate } from '../domain/recurring-jobs.ts';
import { findSlot } from '../domain/schedule.ts';
import type { Session } from '../domain/session.schema.ts';
import { addDays, addMinutes, isoWeekOf, isoWeekOfDate, localDateOf } from '../domain/zoned-time.ts';
import { ConflictError, NotFoundError, type Ports } from './deps.ts';
import { generateWeek } from './generate-week.ts';
import { scheduleSessionJobs } from './session-jobs.ts';

/**
 * Enrols a client and schedules the rest of the current week at once (and the next week when its
 * weekly generation already ran), with their reminders: no waiting for the weekly job.
 */
export async function enrolClient(
  deps: Ports<'programs' | 'clients' | 'sessions' | 'scheduler' | 'clock' | 'activity' | 'log' | 'ledger'>,
  programId: string,
  input: ClientInput,
) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const client = clientSchema.parse(input);
  if (!program.tracks.some((t) => t.id === client.track))
    throw new ConflictError(`track: program has no track ${client.track}`);
  if (!(await deps.clients.createClient(programId, client))) {
    // A retried enrolment (the first one failed after storing the client) finishes the schedule;
    // a different client under that id is a conflict.
    const existing = await deps.clients.getClient(programId, client.id);
    if (!existing || !sameEnrolment(existing, client))
      throw new ConflictError(`client ${client.id} exists already`);
  }
  let created = await scheduleCurrentWeeks(deps, programId, [client.id]);
  if (await scheduleIntakeSession(deps, program, client)) created += 1;
  return { client, sessionsCreated: created };
}

/** The same enrolment request: every field the request set, ignoring what the store keeps (version). */
function sameEnrolment(stored: Client, requested: Client): boolean {
  const { version: _a, ...a } = stored;
  const { version: _b, ...b } = requested;
  return canonical(a) === canonical(b);
}

const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : value && typeof value === 'object'
      ? `{${Object.entries(value)
          .filter(([, v]) => v !== undefined)
          .sort(([x], [y]) => (x < y ? -1 : 1))
          .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
          .join(',')}}`
      : JSON.stringify(value);

/** Clients who start within 48 hours of intake attend far more often. */
const INTAKE_WINDOW_MINUTES = 48 * 60;

/**
 * When the track's next group is more than 48 hours away, an individual intake session with the
 * client's clinician is placed within 48 hours if their availability allows.
 */
async function scheduleIntakeSession(
  deps: Ports<'programs' | 'sessions' | 'scheduler' | 'clock' | 'activity' | 'clients' | 'ledger'>,
  program: Program,
  client: Client,
): Promise<boolean> {
  const now = deps.clock.now();
  const deadline = addMinutes(now, INTAKE_WINDOW_MINUTES);
  const clinician = (await deps.programs.listClinicians(program.id)).find((c) => c.id === client.clinicianId);
  if (!clinician || client.start > localDateOf(deadline, program.timezone)) return false;
  const mine = await deps.sessions.listSessionsByClient(program.id, client.id, { from: now });
  if (mine.some((s) => s.status !== 'cancelled' && s.start <= deadline)) return false;
  const dates = [0, 1, 2]
    .map((d) => addDays(localDateOf(now, program.timezone), d))
    .filter((d) => d >= client.start && !program.closures.includes(d));
  const weeks = [...new Set(dates.map(isoWeekOfDate))];
  const weekSessions = (
    await Promise.all(weeks.map((w) => deps.sessions.listSessionsByWeek(program.id, w)))
  ).flat();
  const live = weekSessions.filter((s) => s.status !== 'cancelled');
  const minutes = individualPolicyFor(program, client.phase)?.minutes ?? 60;
  const slot = findSlot({
    client,
    clinician,
    kind: 'individual',
    minutes,
    zone: program.timezone,
    dates,
    clientBusy: live.filter((s) => s.clientId === client.id),
    clinicianBusy: live.filter((s) => s.clinicianId === clinician.id),
    sameKindDates: [],
    notBefore: now,
  });
  if (!slot || slot.start > deadline) return false;
  const session: Session = {
    sessionId: deterministicId('i', program.id, client.id, 'intake'),
    programId: program.id,
    clientId: client.id,
    kind: 'individual',
    start: slot.start,
    end: addMinutes(slot.start, minutes),
    date: slot.date,
    week: isoWeekOfDate(slot.date),
    clinicianId: clinician.id,
    topic: 'intake',
    status: 'scheduled',
    version: 1,
  };
  await deps.sessions.putSessions([session]);
  await deps.activity.record({
    type: 'session.scheduled',
    sessionId: session.sessionId,
    clientId: client.id,
    kind: session.kind,
    start: session.start,
    end: session.end,
    date: session.date,
    clinicianId: clinician.id,
  });
  await scheduleSessionJobs(deps, program, [session], [client]);
  return true;
}

/** Generates the current week from now on, and the next one if its weekly run is already past. */
export async function scheduleCurrentWeeks(
  deps: Ports<'programs' | 'clients' | 'sessions' | 'scheduler' | 'clock' | 'activity' | 'log' | 'ledger'>,
  programId: string,
  clientIds?: string[],
) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const now = deps.clock.now();
  const thisWeek = isoWeekOf(now, program.timezone);
  const ids = clientIds ? { clientIds } : {};
  let created = (await generateWeek(deps, { programId, week: thisWeek, notBefore: now, ...ids })).created;
  const weekly = recurringJobsFor(program).find((j) => j.target === 'generate-week')!;
  const lastRun = lastFireBefore(weekly.cron, program.timezone, now);
  const nextWeek = weekToGenerate(program, lastRun);
  if (nextWeek > thisWeek)
    created += (await generateWeek(deps, { programId, week: nextWeek, ...ids })).created;
  return created;
}

function lastFireBefore(cron: string, zone: string, instant: string): string {
  let fire = nextWeeklyCronTime(cron, zone, addMinutes(instant, -8 * 24 * 60));
  for (;;) {
    const following = nextWeeklyCronTime(cron, zone, fire);
    if (following > instant) return fire;
    fire = following;
  }
}
