import { type Client, clientSchema } from '../domain/client.schema.ts';
import { reminderJobName } from '../domain/session-jobs.ts';
import { smsTemplates } from '../domain/sms-templates.ts';
import { ConflictError, type Deps, NotFoundError } from './deps.ts';
import { sendClientSms } from './send-sms.ts';
import { cancelSession } from './session-changes.ts';
import { cancelSessionJobs, scheduleSessionJobs } from './session-jobs.ts';

async function load(deps: Deps, programId: string, clientId: string) {
  const [program, client] = await Promise.all([
    deps.programs.getProgram(programId),
    deps.clients.getClient(programId, clientId),
  ]);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  if (!client) throw new NotFoundError(`client ${clientId} does not exist`);
  return { program, client };
}

async function futureSessions(deps: Deps, programId: string, clientId: string) {
  const now = deps.clock.now();
  return (await deps.sessions.listSessionsByClient(programId, clientId, { from: now })).filter(
    (s) => s.status !== 'cancelled',
  );
}

/** STOP: stops every later message at once; the client's pending reminder schedules are deleted. */
export async function optOut(deps: Deps, programId: string, clientId: string): Promise<Client> {
  const { program, client } = await load(deps, programId, clientId);
  const updated = { ...client, smsOptedOut: true };
  await deps.clients.putClient(programId, updated);
  const sessions = await futureSessions(deps, programId, clientId);
  await deps.scheduler.cancel(
    sessions.flatMap((s) => program.reminders.offsetsMinutes.map((o) => reminderJobName(s.sessionId, o))),
  );
  deps.log.info('client opted out', { programId, clientId });
  return updated;
}

/**
 * Opting back in needs a recorded consent (when and how); the reminders of the client's coming
 * sessions are scheduled again and one confirmation is sent.
 */
export async function optIn(
  deps: Deps,
  programId: string,
  clientId: string,
  consent: Client['consent'] = { givenAt: deps.clock.now(), method: 'sms-keyword' },
): Promise<Client> {
  const { program, client } = await load(deps, programId, clientId);
  if (client.status !== 'active') throw new ConflictError(`client ${clientId} is ${client.status}`);
  const updated = clientSchema.parse({ ...client, smsOptedOut: false, smsConsent: true, consent });
  await deps.clients.putClient(programId, updated);
  await scheduleSessionJobs(deps, program, await futureSessions(deps, programId, clientId), [updated]);
  await sendClientSms(deps, {
    program,
    client: updated,
    purpose: 'opt-in',
    key: { programId, subjectId: `optin-${clientId}-${consent!.givenAt}`, purpose: 'opt-in' },
    body: smsTemplates['opt-in']({ programName: program.name }),
    context: {},
  });
  return updated;
}

/** Records SMS consent given at intake or later (who gave it is in the audit log, not here). */
export async function recordConsent(
  deps: Deps,
  programId: string,
  clientId: string,
  consent: NonNullable<Client['consent']>,
): Promise<Client> {
  const { client } = await load(deps, programId, clientId);
  const updated = { ...client, smsConsent: true, consent };
  await deps.clients.putClient(programId, updated);
  return updated;
}

/**
 * Discharge, transfer or completion: from this instant nothing more is sent. Coming sessions are
 * cancelled and every pending schedule deleted.
 */
export async function endEnrolment(
  deps: Deps,
  programId: string,
  clientId: string,
  status: 'discharged' | 'completed' = 'discharged',
): Promise<Client> {
  const { program, client } = await load(deps, programId, clientId);
  if (client.status === status) return client;
  const updated = { ...client, status, endedAt: deps.clock.now() };
  await deps.clients.putClient(programId, updated);
  const sessions = await futureSessions(deps, programId, clientId);
  await cancelSessionJobs(deps, program, sessions);
  for (const session of sessions) await cancelSession(deps, program, session);
  deps.log.info('client enrolment ended', { programId, clientId, status });
  return updated;
}
