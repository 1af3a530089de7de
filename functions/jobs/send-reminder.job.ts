import * as z from 'zod';
import { utcInstantSchema } from '../domain/common.schema.ts';
import { smsTemplates } from '../domain/sms-templates.ts';
import { reminderStillDue, sendClientSms } from '../use-cases/send-sms.ts';
import { loadSessionContext } from '../use-cases/session-context.ts';
import { defineJob } from './job.ts';

export const sendReminderPayloadSchema = z.object({
  programId: z.string().min(1),
  sessionId: z.string().min(1),
  purpose: z.enum(['reminder', 'missed-session']),
  offsetMinutes: z.number().int().positive().optional(),
  version: z.number().int().min(1).optional(),
  scheduledTime: utcInstantSchema.optional(),
});

/**
 * Fires for a session's reminder or missed-session note. Re-reads the truth first: a cancelled,
 * moved or deleted session, or a client who may not be texted, gets no SMS.
 */
export const sendReminderJob = defineJob({
  target: 'send-reminder',
  payload: sendReminderPayloadSchema,
  async run(deps, payload) {
    const ctx = await loadSessionContext(deps, payload.programId, payload.sessionId);
    if (!ctx) return { skipped: 'session, program or client no longer exists' };
    const { program, session, client } = ctx;
    const now = deps.clock.now();
    const context = {
      sessionId: session.sessionId,
      ...(payload.purpose === 'reminder' ? { offsetMinutes: payload.offsetMinutes } : {}),
    };
    const key = {
      programId: program.id,
      subjectId: session.sessionId,
      purpose: payload.purpose,
      ...(payload.purpose === 'reminder' ? { offsetMinutes: payload.offsetMinutes } : {}),
    };
    if (payload.purpose === 'reminder') {
      if (payload.offsetMinutes === undefined) throw new Error('offsetMinutes: required for a reminder');
      if (payload.version !== undefined && payload.version !== session.version)
        return { skipped: 'stale version' };
      // The schedule's own due time tells a moved session from a late delivery (retries, a queue):
      // a late but still valid reminder goes out, until the session starts.
      const { decision, due } = reminderStillDue(
        program,
        client,
        session.start,
        payload.offsetMinutes,
        payload.scheduledTime ?? now,
      );
      if (!due) return { skipped: 'not due: the session moved' };
      if (now >= session.start) return { skipped: 'too late: the session has started' };
      const suppress =
        session.status === 'cancelled'
          ? 'cancelled'
          : decision.action === 'suppress'
            ? 'quiet-hours'
            : undefined;
      const body = smsTemplates.reminder({
        programName: program.name,
        start: session.start,
        zone: program.timezone,
      });
      return sendClientSms(deps, {
        program,
        client,
        purpose: 'reminder',
        key,
        body,
        context,
        ...(suppress ? { suppress } : {}),
      });
    }
    const body = smsTemplates['missed-session']({
      programName: program.name,
      start: session.start,
      zone: program.timezone,
    });
    return sendClientSms(deps, { program, client, purpose: 'missed-session', key, body, context });
  },
});
