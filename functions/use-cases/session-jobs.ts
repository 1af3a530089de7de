import type { Client } from '../domain/client.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import type { Session } from '../domain/session.schema.ts';
import { jobsForSession, sessionJobNames } from '../domain/session-jobs.ts';
import type { OneTimeJob } from '../ports/job-scheduler.port.ts';
import type { Ports } from './deps.ts';

/** Creates (or replaces, by name) the reminder and attendance-check schedules of sessions. */
export async function scheduleSessionJobs(
  deps: Ports<'clock' | 'clients' | 'scheduler'>,
  program: Program,
  sessions: Session[],
  clients?: Client[],
) {
  const now = deps.clock.now();
  const byId = new Map((clients ?? []).map((c) => [c.id, c]));
  const jobs: OneTimeJob[] = [];
  for (const session of sessions) {
    const client =
      byId.get(session.clientId) ??
      (clients ? undefined : await deps.clients.getClient(program.id, session.clientId));
    jobs.push(...jobsForSession(program, session, client, now));
  }
  // A week of a large program is tens of thousands of schedules: create them a few at a time
  // (CreateSchedule allows 1,000+ per second) instead of one after another.
  await inParallel(jobs, SCHEDULE_CONCURRENCY, (job) => deps.scheduler.scheduleOnce(job));
  return jobs.length;
}

const SCHEDULE_CONCURRENCY = 16;

/**
 * Runs `work` over `items` with at most `limit` in flight. After the first failure no new item
 * starts, and the failure is thrown only once every item in flight has settled: a job that ends
 * leaves no step half-done behind it (a claimed but unsent message, for one).
 */
export async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

export async function cancelSessionJobs(deps: Ports<'scheduler'>, program: Program, sessions: Session[]) {
  await deps.scheduler.cancel(sessions.flatMap((s) => sessionJobNames(program, s.sessionId)));
}
