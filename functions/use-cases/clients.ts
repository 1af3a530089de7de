import type { Client, ClientInput, ClientStatus } from '../domain/client.schema.ts';
import { applyClientChanges, type ClientChanges } from '../domain/client-changes.ts';
import type { Program } from '../domain/program.schema.ts';
import type { PageRequest } from '../ports/repository.port.ts';
import { changeClient } from './client-lifecycle.ts';
import { InvalidFieldError, NotFoundError, type Ports } from './deps.ts';
import { enrolClient, scheduleCurrentWeeks } from './enrol-client.ts';
import { getProgram } from './programs.ts';

/** What enrolling or changing a client touches: the client, their sessions and their reminders. */
type ClientPorts = Ports<
  'programs' | 'clients' | 'sessions' | 'scheduler' | 'clock' | 'activity' | 'log' | 'ledger'
>;

/** References in a client's body must exist: an unknown track or clinician is a 400 naming the field. */
export async function checkClientReferences(
  deps: Ports<'programs'>,
  program: Program,
  refs: { track?: string | undefined; clinicianId?: string | undefined },
): Promise<void> {
  if (refs.track && !program.tracks.some((t) => t.id === refs.track))
    throw new InvalidFieldError('body.track', `program has no track ${refs.track}`);
  if (refs.clinicianId) {
    const clinicians = await deps.programs.listClinicians(program.id);
    if (!clinicians.some((c) => c.id === refs.clinicianId))
      throw new InvalidFieldError(
        'body.clinicianId',
        `program has no clinician ${refs.clinicianId} (add it with PUT /programs/${program.id}/clinicians/${refs.clinicianId})`,
      );
  }
}

/** Enrols a client whose track and clinician exist in the program (see enrolClient). */
export async function enrolNewClient(deps: ClientPorts, programId: string, input: ClientInput) {
  await checkClientReferences(deps, await getProgram(deps, programId), input);
  return enrolClient(deps, programId, input);
}

/** The client, or a NotFoundError naming it. */
export async function getClient(
  deps: Ports<'clients'>,
  programId: string,
  clientId: string,
): Promise<Client> {
  const client = await deps.clients.getClient(programId, clientId);
  if (!client) throw new NotFoundError(`client ${clientId} does not exist`);
  return client;
}

/** A page of an existing program's clients, by status and track. */
export async function listClients(
  deps: Ports<'programs' | 'clients'>,
  programId: string,
  filter: { status?: ClientStatus | undefined; track?: string | undefined },
  page: PageRequest,
) {
  await getProgram(deps, programId);
  return deps.clients.listClientsPage(programId, { status: filter.status, track: filter.track }, page);
}

/**
 * Staff change a client (track, phase, availability, clinician, quiet hours): every reference must
 * exist. The change applies to the client as it is when written (a concurrent discharge or
 * opt-out stays); sessions not yet generated follow it, existing ones stay until staff move them.
 */
export async function updateClient(
  deps: ClientPorts,
  programId: string,
  clientId: string,
  changes: ClientChanges,
): Promise<Client> {
  const program = await getProgram(deps, programId);
  await checkClientReferences(deps, program, changes);
  if (changes.phase && !program.phases.some((p) => p.id === changes.phase))
    throw new InvalidFieldError('body.phase', `program has no phase ${changes.phase}`);
  const { client: updated } = await changeClient(deps, programId, clientId, (client) =>
    applyClientChanges(client, changes),
  );
  await scheduleCurrentWeeks(deps, programId, [clientId]);
  return updated;
}
