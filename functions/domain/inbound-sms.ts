import * as z from 'zod';
import { entityIdSchema, phoneSchema, utcInstantSchema } from './common.schema.ts';
import type { Session } from './session.schema.ts';
import { addMinutes } from './zoned-time.ts';

/** What a client's text is read as (scenario spec, version 2: `sms.received`). */
export const SMS_KEYWORDS = ['stop', 'start', 'help', 'confirm', 'other'] as const;
export type SmsKeyword = (typeof SMS_KEYWORDS)[number];

const KEYWORD_OF: Record<string, SmsKeyword> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  START: 'start',
  UNSTOP: 'start',
  HELP: 'help',
  INFO: 'help',
  C: 'confirm',
  CONFIRM: 'confirm',
  Y: 'confirm',
  YES: 'confirm',
  SI: 'confirm',
  SÍ: 'confirm',
};

/** The whole text, trimmed and case-insensitive, is the keyword: "stop please" is a reply for staff. */
export function smsKeyword(text: string): SmsKeyword {
  return KEYWORD_OF[text.trim().toUpperCase()] ?? 'other';
}

/**
 * One inbound SMS as AWS End User Messaging SMS two-way messaging publishes it to the SNS topic
 * (the Message of the SNS notification, a JSON string). Unknown fields are kept out, not refused:
 * AWS may add some.
 */
export const inboundSmsSchema = z.object({
  originationNumber: phoneSchema,
  destinationNumber: z.string().min(1).max(40),
  messageKeyword: z.string().max(160).optional().nullable(),
  messageBody: z.string().max(1600),
  inboundMessageId: z.string().min(1).max(128),
  previousPublishedMessageId: z.string().max(128).optional().nullable(),
});
export type InboundSms = z.infer<typeof inboundSmsSchema>;

/** A client's reply as Cadence keeps it: the text is shown to staff where they sign in, never in an alert. */
export const replySchema = z.object({
  inboundMessageId: z.string().min(1).max(128),
  programId: z.string().min(1),
  clientId: entityIdSchema,
  receivedAt: utcInstantSchema,
  keyword: z.enum(SMS_KEYWORDS),
  text: z.string().max(1600),
  /** The message the client answered, when the carrier said. */
  previousPublishedMessageId: z.string().max(128).optional(),
  /** The session a `confirm` confirmed, set once. */
  confirmedSessionId: z.string().max(40).optional(),
  /** Written last, once every effect of the reply is done: a later duplicate does nothing. */
  handledAt: utcInstantSchema.optional(),
});
export type Reply = z.infer<typeof replySchema>;

/** A confirmation reaches this far ahead when the reply names no reminder. */
export const CONFIRM_WINDOW_HOURS = 48;

/**
 * The session a "C" confirms: the one whose reminder was answered, when it still starts at the
 * time that reminder gave and has not started; otherwise the client's next session that has not
 * started and starts within 48 hours; none when there is none.
 */
export function sessionToConfirm(
  sessions: readonly Session[],
  now: string,
  answered?: { sessionId: string; start: string },
): Session | undefined {
  const open = sessions.filter((s) => s.status !== 'cancelled' && s.start > now);
  const named =
    answered && open.find((s) => s.sessionId === answered.sessionId && s.start === answered.start);
  if (named) return named;
  const limit = addMinutes(now, CONFIRM_WINDOW_HOURS * 60);
  return open.filter((s) => s.start <= limit).sort((a, b) => (a.start < b.start ? -1 : 1))[0];
}
