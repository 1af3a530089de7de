import { forbiddenWordsIn } from './sms-wording.ts';
import { utcToLocal } from './zoned-time.ts';

export const STOP_FOOTER = 'Reply STOP to opt out.';
export const MAX_SMS_LENGTH = 160;

/** The GSM 03.38 basic character set: anything else switches the SMS to UCS-2 (70 characters). */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

export function isGsm7(text: string): boolean {
  return [...text].every((ch) => GSM7_BASIC.includes(ch));
}

/** "Mon 6:00 PM" in the program's time zone. */
export function formatLocalDayTime(instant: string, zone: string): string {
  return utcToLocal(instant, zone).setLocale('en-US').toFormat('ccc h:mm a');
}

export function formatLocalTime(instant: string, zone: string): string {
  return utcToLocal(instant, zone).setLocale('en-US').toFormat('h:mm a');
}

export type SmsPurpose = 'reminder' | 'missed-session' | 'screen-notice' | 'opt-in';

/** Every client SMS: neutral, names the program, one GSM-7 segment, ends with the STOP footer. */
export const smsTemplates = {
  reminder: (p: { programName: string; start: string; zone: string }) =>
    `${p.programName}: reminder of your appointment ${formatLocalDayTime(p.start, p.zone)}. ${STOP_FOOTER}`,
  'missed-session': (p: { programName: string; start: string; zone: string }) =>
    `${p.programName}: we missed you at your appointment ${formatLocalDayTime(p.start, p.zone)}. Please call us to reschedule. ${STOP_FOOTER}`,
  'screen-notice': (p: { programName: string; deadline: string; zone: string }) =>
    `${p.programName}: please stop by the front desk today, before ${formatLocalTime(p.deadline, p.zone)}. ${STOP_FOOTER}`,
  'opt-in': (p: { programName: string }) =>
    `${p.programName}: you will receive appointment messages again. Reply HELP for help. ${STOP_FOOTER}`,
} as const;

/** The rules every body must meet (invariant 4); returns the broken ones. */
export function smsRuleViolations(body: string, programName: string): string[] {
  const problems: string[] = [];
  if (body.length > MAX_SMS_LENGTH)
    problems.push(`longer than ${MAX_SMS_LENGTH} characters (${body.length})`);
  if (!isGsm7(body)) problems.push('contains characters outside GSM-7');
  if (!body.endsWith(STOP_FOOTER)) problems.push(`does not end with "${STOP_FOOTER}"`);
  if (!body.includes(programName)) problems.push('does not name the program');
  const words = forbiddenWordsIn(body);
  if (words.length) problems.push(`reveals treatment: ${words.join(', ')}`);
  return problems;
}
