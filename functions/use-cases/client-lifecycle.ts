import { type Client, clientSchema } from '../domain/client.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import {
  planReminder,
  planUntimedMessage,
  quietHoursFor,
  reminderFireTime,
  reminderJobName,
} from '../domain/reminders.ts';
import { smsTemplatesFor } from '../domain/sms-templates.ts';
import { OptInRefusedError } from '../ports/notifier.port.ts';
import { withConflictRetry } from './conflict-retry.ts';
import { ConflictError, type Deps, NotFoundError, type Ports } from './deps.ts';
import { sendSessionMessage } from './send-reminder.ts';
import { sendClientSms } from './send-sms.ts';
import { cancelSession } from './session-changes.ts';
import { cancelSessionJobs, scheduleSessionJobs } from './session-jobs.ts';

async function loadProgram(deps: Pick<Deps, 'programs'>, programId: string) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  return program;
}

/**
 * A read-modify-write of a client, conditional on its version and re-decided on the client as it
 * is now when a concurrent writer won (invariant 11): a PATCH racing a discharge keeps the
 * discharge, one racing an opt-out keeps the opt-out. `change` returns the new client, or
 * undefined when there is nothing to change; it may throw (e.g. a ConflictError) to refuse.
 */
export async function changeClient(
  deps: Pick<Deps, 'clients'>,
  programId: string,
  clientId: string,
  change: (current: Client) => Client | undefined,
): Promise<{ client: Client; changed: boolean }> {
  return withConflictRetry(async () => {
    const current = await deps.clients.getClient(programId, clientId);
    if (!current) throw new NotFoundError(`client ${clientId} does not exist`);
    const next = change(current);
    if (!next) return { client: current, changed: false };
    const updated = clientSchema.parse({ ...next, version: current.version + 1 });
    return (await deps.clients.updateClient(programId, updated, current.version))
      ? { client: updated, changed: true }
      : undefined;
  }, `client ${clientId}`);
}

async function futureSessions(
  deps: Pick<Deps, 'sessions' | 'clock'>,
  programId: string,
  clientId: string,
  options: { includeCancelled?: boolean } = {},
) {
  const now = deps.clock.now();
  return (await deps.sessions.listSessionsByClient(programId, clientId, { from: now })).filter(
    (s) => options.includeCancelled || s.status !== 'cancelled',
  );
}

/**
 * STOP: stops every later message at once; the client's pending reminder schedules are deleted.
 * When and how (`sms`: the client texted STOP; `staff`: on the client's word) is kept with the
 * consent.
 */
export async function optOut(
  deps: Ports<'programs' | 'clients' | 'sessions' | 'scheduler' | 'clock' | 'log'>,
  programId: string,
  clientId: string,
  how: NonNullable<Client['optedOut']> = { at: deps.clock.now(), method: 'staff' },
): Promise<Client> {
  const program = await loadProgram(deps, programId);
  const { client } = await changeClient(deps, programId, clientId, (c) =>
    c.smsOptedOut ? undefined : { ...c, smsOptedOut: true, optedOut: how },
  );
  const sessions = await futureSessions(deps, programId, clientId);
  // The fire-time check reads the opt-out, so deleting the schedules only saves invocations.
  await deps.scheduler.cancel(
    sessions.flatMap((s) => program.reminders.offsetsMinutes.map((o) => reminderJobName(s.sessionId, o))),
  );
  deps.log.info('client opted out', { programId, clientId });
  return client;
}

/**
 * Opting back in needs a recorded consent (when and how); the reminders of the client's coming
 * sessions are scheduled again and one confirmation is sent.
 */
export async function optIn(
  deps: Ports<
    'programs' | 'clients' | 'sessions' | 'scheduler' | 'clock' | 'log' | 'sms' | 'ledger' | 'activity'
  >,
  programId: string,
  clientId: string,
  consent: Client['consent'] = { givenAt: deps.clock.now(), method: 'sms-keyword' },
): Promise<Client> {
  const program = await loadProgram(deps, programId);
  const current = await deps.clients.getClient(programId, clientId);
  if (!current) throw new NotFoundError(`client ${clientId} does not exist`);
  if (current.status !== 'active') throw new ConflictError(`client ${clientId} is ${current.status}`);
  // A number that texted STOP stays blocked at the carrier until it is opted in there: asked first,
  // so a refusal (once per 30 days) writes nothing.
  if (await deps.sms.isOptedOut(current.phone)) {
    try {
      await deps.sms.optIn(current.phone);
    } catch (error) {
      if (error instanceof OptInRefusedError)
        throw new ConflictError(
          `phone: the carrier still blocks this number and allows lifting a block once every 30 days; the client can text START to opt in`,
        );
      throw error;
    }
  }
  const { client: updated } = await changeClient(deps, programId, clientId, (c) => {
    if (c.status !== 'active') throw new ConflictError(`client ${clientId} is ${c.status}`);
    // Opted in already on this consent (a retried request): nothing to write, the rest is ensured.
    if (!c.smsOptedOut && c.smsConsent && JSON.stringify(c.consent) === JSON.stringify(consent))
      return undefined;
    const { optedOut: _lifted, ...rest } = c;
    return { ...rest, smsOptedOut: false, smsConsent: true, consent };
  });
  const sessions = await futureSessions(deps, programId, clientId);
  await scheduleSessionJobs(deps, program, sessions, [updated]);
  // A reminder due this very instant gets no schedule (none is made in the past): it goes now.
  const now = deps.clock.now();
  for (const session of sessions)
    for (const offsetMinutes of program.reminders.offsetsMinutes) {
      const plan = planReminder(
        session.start,
        offsetMinutes,
        quietHoursFor(program, updated),
        program.timezone,
      );
      if (reminderFireTime(plan) === now)
        await sendSessionMessage(deps, {
          programId,
          sessionId: session.sessionId,
          purpose: 'reminder',
          offsetMinutes,
          start: session.start,
          scheduledTime: now,
        });
    }
  await confirmOptIn(deps, program, updated, consent!.givenAt);
  return updated;
}

/** The job that sends an opt-in confirmation deferred past quiet hours: one per client and consent. */
export const optInJobName = (clientId: string, consentAt: string) =>
  `opt-${clientId}-${consentAt.replace(/[^0-9TZ]/g, '')}`;

/**
 * The one confirmation of an opt-in: now, or at the end of quiet hours through an `opt-` job (like
 * a missed-session note). Claimed per consent in the ledger, so a retry or a second delivery of
 * the job sends it once.
 */
async function confirmOptIn(
  deps: Ports<'scheduler' | 'sms' | 'ledger' | 'clock' | 'activity' | 'log'>,
  program: Program,
  client: Client,
  consentAt: string,
) {
  const now = deps.clock.now();
  const sendAt = planUntimedMessage(now, quietHoursFor(program, client), program.timezone);
  if (sendAt !== now) {
    await deps.scheduler.scheduleOnce({
      name: optInJobName(client.id, consentAt),
      target: 'send-reminder',
      at: sendAt,
      payload: { programId: program.id, purpose: 'opt-in', clientId: client.id, consentAt },
    });
    return { deferred: sendAt };
  }
  return sendClientSms(deps, {
    program,
    client,
    purpose: 'opt-in',
    key: { programId: program.id, subjectId: `optin-${client.id}-${consentAt}`, purpose: 'opt-in' },
    body: smsTemplatesFor(client.language)['opt-in']({ programName: program.name }),
    context: {},
  });
}

/** A deferred opt-in confirmation, when its job fires: only for the consent it was made for. */
export async function sendOptInConfirmation(
  deps: Ports<'programs' | 'clients' | 'scheduler' | 'sms' | 'ledger' | 'clock' | 'activity' | 'log'>,
  job: { programId: string; clientId: string; consentAt: string },
) {
  const [program, client] = await Promise.all([
    deps.programs.getProgram(job.programId),
    deps.clients.getClient(job.programId, job.clientId),
  ]);
  if (!program || !client) return { skipped: 'program or client no longer exists' };
  if (client.consent?.givenAt !== job.consentAt) return { skipped: 'opted in again since' };
  // Fired late (retries) into quiet hours again: deferred again, never sent at night.
  return confirmOptIn(deps, program, client, job.consentAt);
}

/** Records SMS consent given at intake or later (who gave it is in the audit log, not here). */
export async function recordConsent(
  deps: Ports<'programs' | 'clients'>,
  programId: string,
  clientId: string,
  consent: NonNullable<Client['consent']>,
): Promise<Client> {
  await loadProgram(deps, programId);
  const { client } = await changeClient(deps, programId, clientId, (c) => ({
    ...c,
    smsConsent: true,
    consent,
  }));
  return client;
}

/**
 * Discharge, transfer or completion: from this instant nothing more is sent. Coming sessions are
 * cancelled and every pending schedule deleted. Re-driven in full on retry: the status is the
 * commit point, the cancellations are idempotent.
 */
export async function endEnrolment(
  deps: Ports<'programs' | 'clients' | 'sessions' | 'scheduler' | 'clock' | 'log' | 'activity' | 'ledger'>,
  programId: string,
  clientId: string,
  status: 'discharged' | 'completed' = 'discharged',
): Promise<Client> {
  const program = await loadProgram(deps, programId);
  const { client } = await changeClient(deps, programId, clientId, (c) =>
    c.status === status ? undefined : { ...c, status, endedAt: deps.clock.now() },
  );
  // Cancelled ones too: a retry after a failure finishes their cancellation (each step is idempotent).
  const sessions = await futureSessions(deps, programId, clientId, { includeCancelled: true });
  await cancelSessionJobs(deps, program, sessions);
  for (const session of sessions) await cancelSession(deps, program, session);
  deps.log.info('client enrolment ended', { programId, clientId, status });
  return client;
}
