import type { Client } from '../domain/client.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import { missedNoteMessageKey, reminderMessageKey } from '../domain/reminders.ts';
import { planWeek } from '../domain/schedule.ts';
import { addDays, isoWeekOf, nextIsoWeek } from '../domain/zoned-time.ts';
import type { SendKey } from '../ports/send-ledger.port.ts';
import { NotFoundError, type Ports } from './deps.ts';

/** How far back the timeline looks for sessions and messages. */
export const TIMELINE_DAYS = 28;

export interface TimelineMessage {
  /** When it was sent or settled (or claimed, for one in flight). */
  at: string;
  purpose: string;
  subjectId: string;
  offsetMinutes?: number;
  outcome: 'sent' | 'suppressed' | 'in-flight';
  /** Why a suppressed message was not sent: opted-out, no-consent, inactive, quiet-hours, cancelled. */
  reason?: string;
}

/**
 * One client's recent history for the care team: sessions with attendance, every SMS sent or
 * suppressed (read from the exactly-once ledger, by the message identities the sessions and screens
 * imply), screens (results only for roles allowed to see them) and flags.
 */
/** The latest replies the timeline shows; `GET …/messages` pages through all of them. */
const TIMELINE_REPLIES = 20;

export async function clientTimeline(
  deps: Ports<'programs' | 'clients' | 'sessions' | 'screening' | 'flags' | 'ledger' | 'replies' | 'clock'>,
  programId: string,
  clientId: string,
  options: { showResults: boolean },
) {
  const [program, client] = await Promise.all([
    deps.programs.getProgram(programId),
    deps.clients.getClient(programId, clientId),
  ]);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  if (!client) throw new NotFoundError(`client ${clientId} does not exist`);
  const now = deps.clock.now();
  const from = `${addDays(now.slice(0, 10), -TIMELINE_DAYS)}T00:00:00Z`;
  const [sessions, screens, flags, replies] = await Promise.all([
    deps.sessions.listSessionsByClient(programId, clientId, { from }),
    deps.screening.listScreensByClient(programId, clientId),
    deps.flags.listFlagsByClient(programId, clientId),
    // What the client texted (newest first): staff read replies here, never in an alert.
    deps.replies.listRepliesByClient(programId, clientId, { limit: TIMELINE_REPLIES }),
  ]);
  const recentScreens = screens.filter((s) => s.date >= from.slice(0, 10));
  const keys: SendKey[] = [
    ...sessions
      .filter((s) => s.start <= addDays(now.slice(0, 10), 2))
      .flatMap((s) => [
        ...program.reminders.offsetsMinutes.map((offset) => reminderMessageKey(s, offset)),
        missedNoteMessageKey(s),
      ]),
    ...recentScreens.map((s) => ({
      programId,
      subjectId: `screen-${s.date}-${clientId}`,
      purpose: 'screen-notice',
    })),
  ];
  const records = await Promise.all(keys.map((k) => deps.ledger.find(k)));
  const messages: TimelineMessage[] = records
    .filter((r) => r !== undefined)
    .map((r) => {
      const suppressed = r.messageId?.startsWith('suppressed:');
      return {
        at: r.sentAt ?? r.claimedAt,
        purpose: r.key.purpose,
        subjectId: r.key.subjectId,
        ...(r.key.offsetMinutes !== undefined ? { offsetMinutes: r.key.offsetMinutes } : {}),
        outcome: suppressed ? 'suppressed' : r.status === 'sent' ? 'sent' : 'in-flight',
        ...(suppressed ? { reason: r.messageId!.slice('suppressed:'.length) } : {}),
      } satisfies TimelineMessage;
    })
    .sort((a, b) => a.at.localeCompare(b.at));
  return {
    client: consentView(client),
    sessions,
    messages,
    screens: recentScreens.map((s) => ({
      date: s.date,
      reason: s.reason,
      ...(s.deadline ? { deadline: s.deadline } : {}),
      ...(s.recordedAt ? { recordedAt: s.recordedAt } : {}),
      // Roles not allowed to see results see that one was recorded, never which.
      ...(s.result ? { result: options.showResults ? s.result : ('recorded' as const) } : {}),
    })),
    flags,
    replies: replies.items.map((r) => ({
      receivedAt: r.receivedAt,
      keyword: r.keyword,
      text: r.text,
      ...(r.confirmedSessionId ? { confirmedSessionId: r.confirmedSessionId } : {}),
    })),
  };
}

/** Consent and opt-out, with when and how, as the timeline shows them. */
function consentView(client: Client) {
  return {
    id: client.id,
    status: client.status,
    track: client.track,
    smsConsent: client.smsConsent,
    ...(client.consent ? { consent: client.consent } : {}),
    smsOptedOut: client.smsOptedOut,
    ...(client.optedOut ? { optedOut: client.optedOut } : {}),
    language: client.language,
    ...(client.endedAt ? { endedAt: client.endedAt } : {}),
  };
}

/**
 * The week a program's settings (or an enrolment) would produce, planned and not stored: next week,
 * for the given clients (an enrolment: that client alone; settings: the program's active clients).
 */
export async function previewWeek(
  deps: Ports<'programs' | 'clients' | 'clock'>,
  program: Program,
  clients: Client[] | undefined,
) {
  const week = nextIsoWeek(isoWeekOf(deps.clock.now(), program.timezone));
  const [clinicians, stored] = await Promise.all([
    deps.programs.listClinicians(program.id),
    clients ? Promise.resolve(clients) : deps.clients.listClients(program.id),
  ]);
  const plan = planWeek({ program, clinicians, clients: stored, week });
  return { week, sessions: plan.sessions, shortfalls: plan.shortfalls, unplaced: plan.unplaced };
}
