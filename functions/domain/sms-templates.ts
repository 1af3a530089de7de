import { forbiddenWordsIn } from './sms-wording.ts';
import { utcToLocal } from './zoned-time.ts';

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The line every client SMS ends with, in the client's language (TCPA, carriers). */
export const STOP_FOOTERS: Record<Language, string> = {
  en: 'Reply STOP to opt out.',
  es: 'Responda STOP para darse de baja.',
};
export const STOP_FOOTER = STOP_FOOTERS.en;
/** One segment: 160 GSM-7 characters, or 70 once any character needs UCS-2. */
export const MAX_SMS_LENGTH = 160;
export const MAX_UCS2_SMS_LENGTH = 70;

/** The GSM 03.38 basic character set: anything else switches the SMS to UCS-2 (70 characters). */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

export function isGsm7(text: string): boolean {
  return [...text].every((ch) => GSM7_BASIC.includes(ch));
}

/** The most characters one segment of this text may hold. */
export const segmentLimit = (text: string) => (isGsm7(text) ? MAX_SMS_LENGTH : MAX_UCS2_SMS_LENGTH);

/** "Mon 6:00 PM" in the program's time zone. */
export function formatLocalDayTime(instant: string, zone: string): string {
  return utcToLocal(instant, zone).setLocale('en-US').toFormat('ccc h:mm a');
}

export function formatLocalTime(instant: string, zone: string): string {
  return utcToLocal(instant, zone).setLocale('en-US').toFormat('h:mm a');
}

const MESES = [
  'enero',
  'febrero',
  'marzo',
  'abril',
  'mayo',
  'junio',
  'julio',
  'agosto',
  'septiembre',
  'octubre',
  'noviembre',
  'diciembre',
];

/**
 * "las 6:00 p. m." ("la 1:00 p. m."), built by hand: Intl's Spanish output uses a narrow
 * no-break space, which is not GSM-7 and would cut the segment to 70 characters.
 */
export function horaEs(instant: string, zone: string): string {
  const t = utcToLocal(instant, zone);
  const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  const article = h12 === 1 ? 'la' : 'las';
  return `${article} ${h12}:${String(t.minute).padStart(2, '0')} ${t.hour < 12 ? 'a. m.' : 'p. m.'}`;
}

/**
 * "el 2 de marzo a las 6:00 p. m.": the date rather than the weekday, because "sábado" needs a
 * character outside GSM-7 and month names need none.
 */
export function fechaHoraEs(instant: string, zone: string): string {
  const t = utcToLocal(instant, zone);
  return `el ${t.day} de ${MESES[t.month - 1]} a ${horaEs(instant, zone)}`;
}

/** A contact number as people dial it: (202) 555-0100 in the US and Canada, E.164 elsewhere. */
export function formatContactPhone(phone: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone);
  return nanp ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : phone;
}

export type SmsPurpose = 'reminder' | 'missed-session' | 'screen-notice' | 'opt-in' | 'help';

export interface TemplateParams {
  reminder: { programName: string; start: string; zone: string };
  'missed-session': { programName: string; start: string; zone: string };
  'screen-notice': { programName: string; deadline: string; zone: string };
  'opt-in': { programName: string };
  /** The program's contact number, when it has one (E.164). */
  help: { programName: string; contactPhone?: string | undefined };
}
export type SmsTemplateSet = { [P in SmsPurpose]: (p: TemplateParams[P]) => string };

/** Ends a sentence: "a las 6:00 p. m." already ends with its period. */
const period = (text: string) => (text.endsWith('.') ? text : `${text}.`);

const en = STOP_FOOTERS.en;
const es = STOP_FOOTERS.es;

/**
 * Every client SMS in each language: neutral, names the program, one segment, ends with the STOP
 * line of its language. The Spanish is written in the formal "usted", with the accents GSM-7
 * holds (é, ñ) and wordings that need none of the others (á, í, ó, ú), so a message stays one
 * 160-character segment.
 */
export const SMS_TEMPLATES: Record<Language, SmsTemplateSet> = {
  en: {
    reminder: (p) =>
      `${p.programName}: reminder of your appointment ${formatLocalDayTime(p.start, p.zone)}. Reply C to confirm. ${en}`,
    'missed-session': (p) =>
      `${p.programName}: we missed you at your appointment ${formatLocalDayTime(p.start, p.zone)}. Please call us to reschedule. ${en}`,
    'screen-notice': (p) =>
      `${p.programName}: please stop by the front desk today, before ${formatLocalTime(p.deadline, p.zone)}. ${en}`,
    'opt-in': (p) =>
      `${p.programName}: you will receive appointment messages again. Reply HELP for help. ${en}`,
    help: (p) =>
      p.contactPhone
        ? `${p.programName}: appointment messages. For help, call ${formatContactPhone(p.contactPhone)}. Msg&data rates may apply. ${en}`
        : `${p.programName}: appointment messages. For help, ask at the front desk. Msg&data rates may apply. ${en}`,
  },
  es: {
    reminder: (p) =>
      `${p.programName}: le recordamos su cita ${period(fechaHoraEs(p.start, p.zone))} Responda C para confirmar. ${es}`,
    'missed-session': (p) =>
      `${p.programName}: le extrañamos en su cita ${period(fechaHoraEs(p.start, p.zone))} Llame para fijar otra fecha. ${es}`,
    'screen-notice': (p) =>
      `${p.programName}: por favor, pase hoy por el mostrador de entrada antes de ${period(horaEs(p.deadline, p.zone))} ${es}`,
    'opt-in': (p) =>
      `${p.programName}: le enviaremos de nuevo los mensajes de sus citas. Para ayuda, responda HELP. ${es}`,
    help: (p) =>
      p.contactPhone
        ? `${p.programName}: avisos de citas. Para ayuda, llame al ${formatContactPhone(p.contactPhone)}. Pueden aplicarse tarifas de mensajes y datos. ${es}`
        : `${p.programName}: avisos de citas. Para ayuda, pregunte en la entrada. Pueden aplicarse tarifas de mensajes y datos. ${es}`,
  },
};

/** The English templates (the default language). */
export const smsTemplates = SMS_TEMPLATES.en;

/** The templates in a client's language. */
export const smsTemplatesFor = (language: Language | undefined): SmsTemplateSet =>
  SMS_TEMPLATES[language ?? 'en'];

/** The rules every body must meet (invariant 4); returns the broken ones. */
export function smsRuleViolations(body: string, programName: string, language: Language = 'en'): string[] {
  const problems: string[] = [];
  const limit = segmentLimit(body);
  if (body.length > limit)
    problems.push(
      `longer than ${limit} characters, one segment${limit === MAX_UCS2_SMS_LENGTH ? ' once a character is outside GSM-7' : ''} (${body.length})`,
    );
  const footer = STOP_FOOTERS[language];
  if (!body.endsWith(footer)) problems.push(`does not end with "${footer}"`);
  if (!body.includes(programName)) problems.push('does not name the program');
  const words = forbiddenWordsIn(body);
  if (words.length) problems.push(`reveals treatment: ${words.join(', ')}`);
  return problems;
}
