import { type Client, clientSchema } from '../domain/client.schema.ts';
import { nextWeeklyCronTime } from '../domain/cron.ts';
import { recurringJobsFor, weekToGenerate } from '../domain/recurring-jobs.ts';
import { addMinutes, isoWeekOf } from '../domain/zoned-time.ts';
import { ConflictError, type Deps, NotFoundError } from './deps.ts';
import { generateWeek } from './generate-week.ts';

/**
 * Enrols a client and schedules the rest of the current week at once (and the next week when its
 * weekly generation already ran), with their reminders: no waiting for the weekly job.
 */
export async function enrolClient(deps: Deps, programId: string, input: Client) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const client = clientSchema.parse(input);
  if (!program.tracks.some((t) => t.id === client.track))
    throw new ConflictError(`track: program has no track ${client.track}`);
  if (!(await deps.clients.createClient(programId, client)))
    throw new ConflictError(`client ${client.id} exists already`);
  const created = await scheduleCurrentWeeks(deps, programId, [client.id]);
  return { client, sessionsCreated: created };
}

/** Generates the current week from now on, and the next one if its weekly run is already past. */
export async function scheduleCurrentWeeks(deps: Deps, programId: string, clientIds?: string[]) {
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
