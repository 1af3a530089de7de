import type { Client } from '../domain/client.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import type { Session } from '../domain/session.schema.ts';
import { jobsForSession, sessionJobNames } from '../domain/session-jobs.ts';
import type { Deps } from './deps.ts';

/** Creates (or replaces, by name) the reminder and attendance-check schedules of sessions. */
export async function scheduleSessionJobs(
  deps: Deps,
  program: Program,
  sessions: Session[],
  clients?: Client[],
) {
  const now = deps.clock.now();
  const byId = new Map((clients ?? []).map((c) => [c.id, c]));
  let created = 0;
  for (const session of sessions) {
    const client =
      byId.get(session.clientId) ??
      (clients ? undefined : await deps.clients.getClient(program.id, session.clientId));
    for (const job of jobsForSession(program, session, client, now)) {
      await deps.scheduler.scheduleOnce(job);
      created++;
    }
  }
  return created;
}

export async function cancelSessionJobs(deps: Deps, program: Program, sessions: Session[]) {
  await deps.scheduler.cancel(sessions.flatMap((s) => sessionJobNames(program, s.sessionId)));
}
