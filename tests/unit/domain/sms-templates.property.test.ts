import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PROGRAM_NAME_LENGTH, programSchema } from '../../../functions/domain/program.schema.ts';
import {
  isGsm7,
  LANGUAGES,
  SMS_TEMPLATES,
  type SmsPurpose,
  STOP_FOOTERS,
  smsRuleViolations,
} from '../../../functions/domain/sms-templates.ts';
import { forbiddenWordsIn } from '../../../functions/domain/sms-wording.ts';

const zones = [
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'America/Puerto_Rico',
  'Pacific/Honolulu',
  'Europe/Madrid',
  'Australia/Sydney',
  'Asia/Kolkata',
];
const instant = fc
  .integer({
    min: Date.parse('2026-01-01T00:00:00Z') / 60000,
    max: Date.parse('2030-12-31T00:00:00Z') / 60000,
  })
  .map((m) => new Date(m * 60000).toISOString().replace('.000Z', 'Z'));
/** Program names the schema accepts, up to the longest allowed, made of the widest letters. */
const programName = fc
  .oneof(
    fc.constant('W'.repeat(MAX_PROGRAM_NAME_LENGTH)),
    fc.constant("St. Mary's West & Co"),
    fc.stringMatching(/^[A-Za-z0-9 .&'-]{1,20}$/),
  )
  .filter((name) => name.trim().length > 0 && programSchema.shape.name.safeParse(name).success);
/** Contact numbers: none, US ones, and the longest E.164 numbers. */
const contactPhone = fc.oneof(
  fc.constant(undefined),
  fc.stringMatching(/^\+1[2-9]\d{9}$/),
  fc.stringMatching(/^\+[2-9]\d{14}$/),
);
const PURPOSES: SmsPurpose[] = ['reminder', 'missed-session', 'screen-notice', 'opt-in', 'help'];

function bodyOf(
  language: (typeof LANGUAGES)[number],
  purpose: SmsPurpose,
  p: { programName: string; at: string; zone: string; contactPhone: string | undefined },
) {
  const t = SMS_TEMPLATES[language];
  switch (purpose) {
    case 'reminder':
      return t.reminder({ programName: p.programName, start: p.at, zone: p.zone });
    case 'missed-session':
      return t['missed-session']({ programName: p.programName, start: p.at, zone: p.zone });
    case 'screen-notice':
      return t['screen-notice']({ programName: p.programName, deadline: p.at, zone: p.zone });
    case 'opt-in':
      return t['opt-in']({ programName: p.programName });
    case 'help':
      return t.help({ programName: p.programName, contactPhone: p.contactPhone });
  }
}

describe('every template in both languages (property)', () => {
  it.each(LANGUAGES.flatMap((language) => PURPOSES.map((purpose) => [language, purpose] as const)))(
    '%s %s: neutral, one segment, names the program, ends with the STOP line of its language',
    (language, purpose) => {
      fc.assert(
        fc.property(
          programName,
          instant,
          fc.constantFrom(...zones),
          contactPhone,
          (name, at, zone, phone) => {
            const body = bodyOf(language, purpose, { programName: name, at, zone, contactPhone: phone });
            expect(smsRuleViolations(body, name, language), body).toEqual([]);
            expect(forbiddenWordsIn(body), body).toEqual([]);
            expect(body.endsWith(STOP_FOOTERS[language])).toBe(true);
            // One segment: 160 GSM-7 characters; every template stays in GSM-7 (UCS-2 would allow 70).
            expect(isGsm7(body), body).toBe(true);
            expect(body.length, body).toBeLessThanOrEqual(160);
            expect(body.replace(name, ''), 'no doubled period').not.toMatch(/\.\./);
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('ends Spanish messages with "Responda STOP para darse de baja."', () => {
    expect(STOP_FOOTERS.es).toBe('Responda STOP para darse de baja.');
  });
});

describe('the Spanish wording', () => {
  const zone = 'America/Chicago';
  it('gives the date and the time as people say them ("a la 1:00", "a las 6:00 p. m.")', () => {
    expect(SMS_TEMPLATES.es.reminder({ programName: 'Sunrise', start: '2027-03-06T00:00:00Z', zone })).toBe(
      'Sunrise: le recordamos su cita el 5 de marzo a las 6:00 p. m. Responda C para confirmar. Responda STOP para darse de baja.',
    );
    expect(SMS_TEMPLATES.es.reminder({ programName: 'Sunrise', start: '2027-03-05T19:30:00Z', zone })).toBe(
      'Sunrise: le recordamos su cita el 5 de marzo a la 1:30 p. m. Responda C para confirmar. Responda STOP para darse de baja.',
    );
    expect(
      SMS_TEMPLATES.es['screen-notice']({ programName: 'Sunrise', deadline: '2027-03-05T16:00:00Z', zone }),
    ).toBe(
      'Sunrise: por favor, pase hoy por el mostrador de entrada antes de las 10:00 a. m. Responda STOP para darse de baja.',
    );
    expect(
      SMS_TEMPLATES.es['missed-session']({ programName: 'Sunrise', start: '2027-03-06T00:00:00Z', zone }),
    ).toBe(
      'Sunrise: le extrañamos en su cita el 5 de marzo a las 6:00 p. m. Llame para fijar otra fecha. Responda STOP para darse de baja.',
    );
  });
});

describe('the neutral-word rule in Spanish', () => {
  it.each([
    ['su prueba de drogas', 'droga'],
    ['muestra de orina', 'orina'],
    ['Tratamiento', 'tratamiento'],
    ['Centro de Recuperación', 'recuperacion'],
    ['sin recaídas', 'recaida'],
    ['Vida Sobria', 'sobri'],
    ['Rehabilitación Norte', 'rehabilit'],
    ['Adicciones Sur', 'adicc'],
    ['Desintoxicación', 'desintox'],
    ['Alcohólicos Anónimos', 'alcohol'],
    ['Metadona', 'metadona'],
    ['Doce Pasos', '12 pasos'],
    ['Salud Mental Este', 'salud mental'],
    ['Consumo Cero', 'consumo'],
    ['Análisis toxicológico', 'analisis'],
  ])('finds a word that reveals treatment in %j', (text, word) => {
    expect(forbiddenWordsIn(text)).toContain(word);
  });

  it.each(['Vida Sobria', 'Centro Recuperacion', 'Adicciones Sur', 'Doce Pasos'])(
    'refuses the program short name %j, which every SMS would show',
    (name) => {
      expect(programSchema.shape.name.safeParse(name).success).toBe(false);
    },
  );

  it.each(['Sunrise', 'Casa del Sol', 'Nueva Vida', 'Harbor Point', 'Los Pinos'])('accepts %j', (name) => {
    expect(programSchema.shape.name.safeParse(name).success).toBe(true);
  });
});
