import type { Client } from '../domain/client.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import type { Session } from '../domain/session.schema.ts';
import type { Deps } from './deps.ts';

/** The program, session and client behind a session job, read fresh from the table. */
export async function loadSessionContext(
  deps: Pick<Deps, 'programs' | 'sessions' | 'clients' | 'log'>,
  programId: string,
  sessionId: string,
): Promise<{ program: Program; session: Session; client: Client } | undefined> {
  const [program, session] = await Promise.all([
    deps.programs.getProgram(programId),
    deps.sessions.getSession(programId, sessionId),
  ]);
  if (!program || !session) {
    deps.log.warn('stale job: session or program is gone', { programId, sessionId });
    return undefined;
  }
  const client = await deps.clients.getClient(programId, session.clientId);
  if (!client) {
    deps.log.warn('stale job: client is gone', { programId, sessionId });
    return undefined;
  }
  return { program, session, client };
}
