import { weekToGenerate } from '../domain/recurring-jobs.ts';
import { planWeek, type UnplacedSession } from '../domain/schedule.ts';
import { type Session, shortfallSchema } from '../domain/session.schema.ts';
import { addMinutes } from '../domain/zoned-time.ts';
import { NotFoundError, type Ports } from './deps.ts';
import { cancelSession } from './session-changes.ts';
import { inParallel, scheduleSessionJobs } from './session-jobs.ts';

/** Sessions written (and announced) together: one BatchWriteItem request, so a batch is stored whole or not at all. */
const ANNOUNCE_BATCH = 25;

export interface GenerateWeekResult {
  programId: string;
  week: string;
  created: number;
  existing: number;
  shortfalls: number;
  unplaced: UnplacedSession[];
}

/**
 * Above this many clients, the weekly run fans out (issue 16): it plans and writes the week's
 * sessions itself (the plan is one piece: a clinician's individual sessions span clients), and
 * leaves their reminder and attendance jobs, most of its time in AWS, to parts of this many
 * clients each, one-time `generate-week` jobs a minute later.
 */
export const WEEK_PART_CLIENTS = 1000;

type GenerationPorts = Ports<
  'programs' | 'clients' | 'sessions' | 'scheduler' | 'clock' | 'activity' | 'log' | 'ledger'
>;

/**
 * The week a recurring schedule asks for: the one after the week it was due in (retries generate
 * the same); or, with `part`, one part of a week that fanned out.
 */
export async function generateScheduledWeek(
  deps: GenerationPorts,
  job: {
    programId: string;
    scheduledTime?: string | undefined;
    week?: string | undefined;
    part?: number | undefined;
    parts?: number | undefined;
  },
  options: { partClients?: number } = {},
) {
  const program = await deps.programs.getProgram(job.programId);
  if (!program) throw new NotFoundError(`program ${job.programId} does not exist`);
  const week = job.week ?? weekToGenerate(program, job.scheduledTime ?? deps.clock.now());
  if (job.part !== undefined && job.parts !== undefined)
    return scheduleWeekPart(deps, { programId: program.id, week, part: job.part, parts: job.parts });
  const partClients = options.partClients ?? WEEK_PART_CLIENTS;
  const clients = (await deps.clients.listClients(program.id)).length;
  const parts = clients > partClients ? Math.ceil(clients / partClients) : 1;
  const { createdSessions: _, ...result } = await generateWeek(deps, {
    programId: program.id,
    week,
    scheduleJobs: parts === 1,
  });
  if (parts === 1) return result;
  // Each part is its own job (its own retries and dead-letter queue), named for its week and
  // index: a retried planner creates the same parts again, which replaces them.
  const at = addMinutes(deps.clock.now(), 1);
  await inParallel(
    Array.from({ length: parts }, (_, part) => part),
    8,
    (part) =>
      deps.scheduler.scheduleOnce({
        name: weekPartJobName(program.id, week, part),
        target: 'generate-week',
        at,
        payload: { programId: program.id, week, part, parts },
      }),
  );
  return { ...result, parts };
}

export const weekPartJobName = (programId: string, week: string, part: number) =>
  `gen-${programId}-${week}-${part}`;

/**
 * One part of a week that fanned out: the jobs of the sessions of every `parts`-th client (by id),
 * the sessions written by the weekly run. Job names are deterministic, so a rerun replaces them.
 */
export async function scheduleWeekPart(
  deps: GenerationPorts,
  input: { programId: string; week: string; part: number; parts: number },
) {
  const program = await deps.programs.getProgram(input.programId);
  if (!program) throw new NotFoundError(`program ${input.programId} does not exist`);
  const [allClients, sessions] = await Promise.all([
    deps.clients.listClients(program.id),
    deps.sessions.listSessionsByWeek(program.id, input.week),
  ]);
  const ids = allClients.map((c) => c.id).sort();
  const mine = new Set(ids.filter((_, i) => i % input.parts === input.part));
  const jobs = await scheduleSessionJobs(
    deps,
    program,
    sessions.filter((s) => mine.has(s.clientId) && s.status !== 'cancelled'),
    allClients,
  );
  deps.log.info('week part scheduled', { programId: program.id, week: input.week, part: input.part, jobs });
  return {
    programId: program.id,
    week: input.week,
    part: input.part,
    parts: input.parts,
    clients: mine.size,
  };
}

/**
 * Writes a program's sessions for one ISO week. Ids are deterministic and stored sessions are kept,
 * so a rerun (a retried or duplicated schedule) writes nothing new.
 */
export async function generateWeek(
  deps: Ports<'programs' | 'clients' | 'sessions' | 'scheduler' | 'clock' | 'activity' | 'log' | 'ledger'>,
  input: {
    programId: string;
    week: string;
    clientIds?: string[];
    notBefore?: string;
    /** False: the sessions only; their jobs are left to the week's parts. */
    scheduleJobs?: boolean;
  },
): Promise<GenerateWeekResult & { createdSessions: Session[] }> {
  const program = await deps.programs.getProgram(input.programId);
  if (!program) throw new NotFoundError(`program ${input.programId} does not exist`);
  const [clinicians, allClients, existing, storedShortfalls] = await Promise.all([
    deps.programs.listClinicians(program.id),
    deps.clients.listClients(program.id),
    deps.sessions.listSessionsByWeek(program.id, input.week),
    deps.sessions.listShortfalls(program.id, input.week),
  ]);
  const clients = input.clientIds ? allClients.filter((c) => input.clientIds!.includes(c.id)) : allClients;
  const plan = planWeek({
    program,
    clinicians,
    clients,
    week: input.week,
    existing,
    notBefore: input.notBefore,
  });

  // Each batch is announced as soon as it is stored: a retry finds those sessions stored and does
  // not create (or announce) them again, so announcing after a later step would lose them.
  for (let i = 0; i < plan.created.length; i += ANNOUNCE_BATCH) {
    const batch = plan.created.slice(i, i + ANNOUNCE_BATCH);
    await deps.sessions.putSessions(batch);
    for (const s of batch) {
      await deps.activity.record({
        type: 'session.scheduled',
        sessionId: s.sessionId,
        clientId: s.clientId,
        kind: s.kind,
        start: s.start,
        end: s.end,
        date: s.date,
        ...(s.clinicianId ? { clinicianId: s.clinicianId } : {}),
      });
    }
  }
  // Every live session of the clients in scope gets its jobs, not only the new ones: a run that
  // failed after writing its sessions (and is retried) still schedules their reminders. Names are
  // deterministic, so re-creating a job replaces it; past jobs are never created.
  const inScope = new Set(clients.map((c) => c.id));
  const jobs =
    input.scheduleJobs === false
      ? 0
      : await scheduleSessionJobs(
          deps,
          program,
          plan.sessions.filter((s) => inScope.has(s.clientId) && s.status !== 'cancelled'),
          allClients,
        );
  // A client who left while this run planned from an earlier read (a discharge racing a PATCH or
  // the weekly run) gets nothing: read again after writing, and cancel what was written for them.
  // The discharge cancels what it finds; this catches what it could not see yet.
  const createdFor = new Set(plan.created.map((s) => s.clientId));
  if (createdFor.size) {
    const left = new Set(
      (await deps.clients.listClients(program.id))
        .filter((c) => createdFor.has(c.id) && c.status !== 'active')
        .map((c) => c.id),
    );
    for (const session of plan.created.filter((s) => left.has(s.clientId)))
      await cancelSession(deps, program, session);
  }
  const known = new Map(storedShortfalls.map((s) => [s.clientId, s]));
  const newShortfalls = plan.shortfalls.filter((s) => {
    const before = known.get(s.clientId);
    return !before || before.hours !== s.hours || before.minimum !== s.minimum;
  });
  await deps.sessions.putShortfalls(newShortfalls.map((s) => shortfallSchema.parse(s)));

  for (const s of newShortfalls) {
    await deps.activity.record({
      type: 'schedule.shortfall',
      clientId: s.clientId,
      week: s.week,
      hours: s.hours,
      minimum: s.minimum,
    });
  }
  for (const u of plan.unplaced) {
    deps.log.warn('session could not be placed', { programId: program.id, week: input.week, ...u });
  }
  deps.log.info('week generated', {
    programId: program.id,
    week: input.week,
    created: plan.created.length,
    existing: existing.length,
    shortfalls: plan.shortfalls.length,
    jobs,
  });
  return {
    programId: program.id,
    week: input.week,
    created: plan.created.length,
    existing: existing.length,
    shortfalls: plan.shortfalls.length,
    unplaced: plan.unplaced,
    createdSessions: plan.created,
  };
}
