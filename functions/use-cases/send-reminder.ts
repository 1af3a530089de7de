import { reminderMessageKey, reminderVerdict } from '../domain/reminders.ts';
import { smsTemplatesFor } from '../domain/sms-templates.ts';
import { sendMissedNote } from './attendance.ts';
import type { Deps } from './deps.ts';
import { type SmsDeps, sendClientSms } from './send-sms.ts';
import { loadSessionContext } from './session-context.ts';

export interface SessionMessageJob {
  programId: string;
  sessionId: string;
  purpose: 'reminder' | 'missed-session';
  offsetMinutes?: number | undefined;
  /** The session start the job was made for (jobs made before it was carried lack it). */
  start?: string | undefined;
  scheduledTime?: string | undefined;
}

/**
 * A session's reminder or missed-session note, when its schedule fires. Re-reads the truth first:
 * a cancelled, moved or deleted session, or a client who may not be texted, gets no SMS.
 */
export async function sendSessionMessage(
  deps: SmsDeps & Pick<Deps, 'programs' | 'sessions' | 'clients' | 'scheduler'>,
  job: SessionMessageJob,
) {
  const ctx = await loadSessionContext(deps, job.programId, job.sessionId);
  if (!ctx) return { skipped: 'session, program or client no longer exists' };
  const { program, session, client } = ctx;
  if (job.purpose === 'missed-session') {
    if (job.start !== undefined && job.start !== session.start) return { skipped: 'the session moved' };
    return sendMissedNote(deps, program, session, client);
  }
  if (job.offsetMinutes === undefined) throw new Error('offsetMinutes: required for a reminder');
  const now = deps.clock.now();
  const verdict = reminderVerdict({
    program,
    client,
    session,
    offsetMinutes: job.offsetMinutes,
    start: job.start,
    scheduledTime: job.scheduledTime ?? now,
    now,
  });
  if (verdict.action === 'skip') return { skipped: verdict.why };
  return sendClientSms(deps, {
    program,
    client,
    purpose: 'reminder',
    key: reminderMessageKey(session, job.offsetMinutes),
    body: smsTemplatesFor(client.language).reminder({
      programName: program.name,
      start: session.start,
      zone: program.timezone,
    }),
    context: { sessionId: session.sessionId, offsetMinutes: job.offsetMinutes },
    sessionStart: session.start,
    ...(verdict.action === 'suppress' ? { suppress: verdict.reason } : {}),
  });
}
