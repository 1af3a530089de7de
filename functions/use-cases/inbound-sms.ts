import type { Client } from '../domain/client.schema.ts';
import {
  type InboundSms,
  type Reply,
  type SmsKeyword,
  sessionToConfirm,
  smsKeyword,
} from '../domain/inbound-sms.ts';
import type { Program } from '../domain/program.schema.ts';
import { smsTemplatesFor } from '../domain/sms-templates.ts';
import { alertCareTeam } from './care-team.ts';
import { optIn, optOut } from './client-lifecycle.ts';
import { withConflictRetry } from './conflict-retry.ts';
import { ConflictError, type Deps, NotFoundError } from './deps.ts';
import { sendClientSms } from './send-sms.ts';

export type InboundOutcome =
  | { ignored: 'unknown-number' }
  | {
      programId: string;
      clientId: string;
      keyword: SmsKeyword;
      /** False when this inbound message id was received before (a duplicate delivery). */
      first: boolean;
      /** What the reply did, in a few neutral words (logged with the ids). */
      effect: string;
    };

/**
 * The record a number belongs to: the active one, else the most recently started (`prefer`: the
 * client the local runtime or the simulator knows sent it, when a number is shared).
 */
function currentRecord(records: { programId: string; client: Client }[], prefer?: string) {
  return [...records].sort(
    (a, b) =>
      Number(b.client.id === prefer) - Number(a.client.id === prefer) ||
      Number(b.client.status === 'active') - Number(a.client.status === 'active') ||
      (a.client.start < b.client.start ? 1 : a.client.start > b.client.start ? -1 : 0),
  )[0]!;
}

/**
 * A client's SMS, as two-way messaging delivers it. The reply is kept first, once per inbound
 * message id (the conditional write is the idempotency record); its effect is then ensured, each
 * step idempotent on that id, so a retried or duplicate delivery does it once:
 * - stop: opted out at once (every record with that number), with when and how (`sms`);
 * - start: opted in again when consent was recorded, with one confirmation SMS;
 * - help: one answer naming the program and how to reach it, even in quiet hours, unless opted out;
 * - confirm: the answered reminder's session (else the next within 48 hours) is confirmed;
 * - other: one care-team alert, without the text: staff read it where they sign in.
 * A number that is no client's is ignored: never answered, nothing kept.
 */
export async function receiveSms(
  deps: Pick<
    Deps,
    | 'programs'
    | 'clients'
    | 'sessions'
    | 'replies'
    | 'scheduler'
    | 'clock'
    | 'log'
    | 'sms'
    | 'ledger'
    | 'activity'
    | 'careTeam'
    | 'appBaseUrl'
  >,
  message: InboundSms,
  options: { prefer?: string } = {},
): Promise<InboundOutcome> {
  const { inboundMessageId } = message;
  const records = await deps.clients.findClientsByPhone(message.originationNumber);
  if (records.length === 0) return { ignored: 'unknown-number' };
  const { programId, client } = currentRecord(records, options.prefer);
  const program = await deps.programs.getProgram(programId);
  // A program deleted since (its clients stay): nobody is there to read or answer the reply.
  if (!program) return { ignored: 'unknown-number' };

  const keyword = smsKeyword(message.messageBody);
  const fresh: Reply = {
    inboundMessageId,
    programId,
    clientId: client.id,
    receivedAt: deps.clock.now(),
    keyword,
    text: message.messageBody,
    ...(message.previousPublishedMessageId
      ? { previousPublishedMessageId: message.previousPublishedMessageId }
      : {}),
  };
  const expiresAt = Math.floor(Date.parse(fresh.receivedAt) / 1000) + program.replyRetentionDays * 86_400;
  const first = await deps.replies.recordReply(fresh, expiresAt);
  // A duplicate works from the reply as first kept: the same instant, so the same effects.
  const reply = first ? fresh : ((await deps.replies.getReply(inboundMessageId)) ?? fresh);
  if (first) await deps.activity.record({ type: 'sms.received', clientId: client.id, keyword });
  const done = (effect: string): InboundOutcome => ({
    programId,
    clientId: client.id,
    keyword,
    first,
    effect,
  });

  // Handled before (a late duplicate delivery): done, nothing re-driven; a STOP or START since
  // must not be undone by an old message. A retry after a failure finds no mark and re-drives
  // every step, each idempotent.
  if (reply.handledAt) return done('handled before');
  const effect = await applyReply(deps, { program, client, records, reply, keyword });
  await deps.replies.markHandled(inboundMessageId, deps.clock.now());
  return done(effect);
}

/** What the reply does, as idempotent steps keyed on its inbound message id; a few neutral words. */
async function applyReply(
  deps: Parameters<typeof receiveSms>[0],
  r: {
    program: Program;
    client: Client;
    records: { programId: string; client: Client }[];
    reply: Reply;
    keyword: SmsKeyword;
  },
): Promise<string> {
  const { program, client, records, reply, keyword } = r;
  const programId = program.id;
  const { inboundMessageId } = reply;
  switch (keyword) {
    case 'stop':
      for (const record of records) {
        try {
          await optOut(deps, record.programId, record.client.id, { at: reply.receivedAt, method: 'sms' });
        } catch (error) {
          // another record of the number whose program was deleted: nothing to opt out there
          if (!(error instanceof NotFoundError)) throw error;
        }
      }
      return 'opted out';
    case 'start': {
      if (!client.smsConsent) return 'not opted in: no consent recorded';
      try {
        await optIn(deps, programId, client.id, { givenAt: reply.receivedAt, method: 'sms-keyword' });
      } catch (error) {
        // The carrier's once-in-30-days limit, or a client who left: a clear answer, nothing written.
        if (error instanceof ConflictError) {
          deps.log.warn('START not honoured', {
            programId,
            clientId: client.id,
            inboundMessageId,
            why: error.message,
          });
          return `not opted in: ${error.message}`;
        }
        throw error;
      }
      return 'opted in';
    }
    case 'help': {
      const outcome = await sendClientSms(deps, {
        program,
        client,
        purpose: 'help',
        key: { programId, subjectId: `reply-${inboundMessageId}`, purpose: 'help' },
        body: smsTemplatesFor(client.language).help({
          programName: program.name,
          contactPhone: program.contactPhone,
        }),
        context: {},
        answer: true,
      });
      return outcome.sent || outcome.reason === 'queued' ? 'answered' : `not answered: ${outcome.reason}`;
    }
    case 'confirm': {
      // The reply's confirmed session is the commit point, set once; marking the session follows
      // from it and is re-driven by a retry.
      let sessionId = reply.confirmedSessionId;
      if (!sessionId) {
        const sessions = await deps.sessions.listSessionsByClient(programId, client.id, {
          from: reply.receivedAt,
        });
        const session = sessionToConfirm(sessions, reply.receivedAt, await answeredSession(deps, reply));
        if (!session) return 'nothing to confirm';
        if (await deps.replies.setConfirmedSession(inboundMessageId, session.sessionId))
          await deps.activity.record({
            type: 'session.confirmed',
            sessionId: session.sessionId,
            clientId: client.id,
          });
        sessionId = (await deps.replies.getReply(inboundMessageId))?.confirmedSessionId ?? session.sessionId;
      }
      await markSessionConfirmed(deps, programId, sessionId, reply.receivedAt);
      return `confirmed ${sessionId}`;
    }
    case 'other':
      await alertCareTeam(deps, {
        programId,
        clientId: client.id,
        reason: 'client-reply',
        subjectId: `reply-${inboundMessageId}`,
        text: 'The client replied by SMS. Read the reply in Cadence.',
      });
      return 'care team alerted';
  }
}

/** The session at the start a reminder was sent for, when the reply names that reminder. */
async function answeredSession(deps: Pick<Deps, 'ledger'>, reply: Reply) {
  if (!reply.previousPublishedMessageId) return undefined;
  const sent = await deps.ledger.findSent(reply.previousPublishedMessageId);
  if (!sent || sent.programId !== reply.programId || sent.purpose !== 'reminder') return undefined;
  const at = sent.subjectId.lastIndexOf('@');
  return at > 0 ? { sessionId: sent.subjectId.slice(0, at), start: sent.subjectId.slice(at + 1) } : undefined;
}

/** A client's replies, newest first, for staff (the API and the client's timeline). */
export async function listClientReplies(
  deps: Pick<Deps, 'programs' | 'clients' | 'replies'>,
  programId: string,
  clientId: string,
  page: { limit: number; cursor?: string | undefined },
) {
  const client = await deps.clients.getClient(programId, clientId);
  if (!client) throw new NotFoundError(`client ${clientId} does not exist`);
  return deps.replies.listRepliesByClient(programId, clientId, page);
}

/** The session shows the client's confirmation (staff see it on Today), once, conditionally. */
async function markSessionConfirmed(
  deps: Pick<Deps, 'sessions'>,
  programId: string,
  sessionId: string,
  at: string,
): Promise<void> {
  await withConflictRetry(async () => {
    const session = await deps.sessions.getSession(programId, sessionId);
    if (!session || session.status === 'cancelled' || session.confirmedAt) return true;
    return (
      (await deps.sessions.replaceSession(
        { ...session, confirmedAt: at, version: session.version + 1 },
        session.version,
      )) || undefined
    );
  }, `session ${sessionId}`);
}
