import type { ClientInput } from '../../functions/domain/client.schema.ts';
import type { ProgramInput } from '../../functions/domain/program.schema.ts';
import type { Session } from '../../functions/domain/session.schema.ts';
import { generateWeek } from '../../functions/use-cases/generate-week.ts';
import type { LocalSystem } from '../../local/adapters/local-deps.ts';
import { aClient, aClinician, aProgram } from './fixtures.ts';

/** The program the fault and race tests use. */
export const PROGRAM = 'sunrise';

export interface WorldOptions {
  program?: Partial<ProgramInput>;
  clients?: Partial<ClientInput>[];
  weeks?: string[];
}

/** A program (group sessions only unless told), its clinician and clients, and generated weeks. */
export async function seedWorld(sys: LocalSystem, options: WorldOptions = {}): Promise<void> {
  await sys.deps.programs.putProgram(
    aProgram({ individual: { perWeek: 0, minutes: 60 }, ...options.program }),
  );
  await sys.deps.programs.putClinician(PROGRAM, aClinician());
  for (const c of options.clients ?? [{}]) await sys.deps.clients.createClient(PROGRAM, aClient(c));
  for (const week of options.weeks ?? ['2027-W01'])
    await generateWeek(sys.deps, { programId: PROGRAM, week });
}

/** A client's sessions in time order. */
export async function sessionsOf(sys: LocalSystem, clientId = 'c-001'): Promise<Session[]> {
  return (await sys.deps.sessions.listSessionsByClient(PROGRAM, clientId)).sort((a, b) =>
    a.start < b.start ? -1 : 1,
  );
}
