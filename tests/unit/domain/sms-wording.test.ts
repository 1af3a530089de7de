import { describe, expect, it } from 'vitest';
import { MAX_PROGRAM_NAME_LENGTH, programSchema } from '../../../functions/domain/program.schema.ts';
import { isGsm7, smsRuleViolations, smsTemplates } from '../../../functions/domain/sms-templates.ts';

const longestName = 'W'.repeat(MAX_PROGRAM_NAME_LENGTH);
const instants = [
  '2027-01-04T23:00:00Z',
  '2027-03-14T07:30:00Z',
  '2027-10-31T01:45:00Z',
  '2027-12-29T16:00:00Z',
];
const zones = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata'];

function everyBody(programName: string): string[] {
  return instants.flatMap((start) =>
    zones.flatMap((zone) => [
      smsTemplates.reminder({ programName, start, zone }),
      smsTemplates['missed-session']({ programName, start, zone }),
      smsTemplates['screen-notice']({ programName, deadline: start, zone }),
      smsTemplates['opt-in']({ programName }),
    ]),
  );
}

describe('SMS wording', () => {
  it.each([longestName, 'Sunrise', "St. Mary's West & Co"])(
    'keeps every template neutral, one GSM-7 segment, naming "%s" and ending with the STOP line',
    (name) => {
      for (const body of everyBody(name)) {
        expect(smsRuleViolations(body, name), body).toEqual([]);
        expect(body.length).toBeLessThanOrEqual(160);
        expect(body.endsWith('Reply STOP to opt out.')).toBe(true);
      }
    },
  );

  it('shows the day and the local time', () => {
    expect(
      smsTemplates.reminder({
        programName: 'Sunrise',
        start: '2027-01-04T23:00:00Z',
        zone: 'America/New_York',
      }),
    ).toBe('Sunrise: reminder of your appointment Mon 6:00 PM. Reply C to confirm. Reply STOP to opt out.');
  });

  it('catches a body that would reveal treatment, overflow or leave GSM-7', () => {
    expect(smsRuleViolations('Sunrise: your drug test is due. Reply STOP to opt out.', 'Sunrise')).toEqual([
      'reveals treatment: drug, test',
    ]);
    expect(smsRuleViolations(`Sunrise: ${'x'.repeat(160)} Reply STOP to opt out.`, 'Sunrise')[0]).toMatch(
      /longer than 160/,
    );
    expect(isGsm7('Sunrise’s reminder')).toBe(false); // a curly apostrophe halves the budget
  });

  it.each(['Sober Living', 'Recovery Center', 'New Path IOP', 'Detox West', 'Sunrise Rehab'])(
    'refuses the program short name "%s", which every SMS would show',
    (name) => {
      const result = programSchema.safeParse({
        id: 'p',
        name,
        timezone: 'America/New_York',
        tracks: [{ id: 'evening', groups: [] }],
      });
      expect(result.success).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(['name']);
    },
  );
});

describe('the neutral-name rule', () => {
  const parseName = (name: string) =>
    programSchema.safeParse({
      id: 'p',
      name,
      timezone: 'America/New_York',
      tracks: [{ id: 'evening', groups: [] }],
    });

  it.each([
    ['AA Group', 'AA'],
    ['A.A. Westside', 'AA'],
    ['NA Tuesday', 'NA'],
    ['Narcotics Anon', 'narcotic'],
    ['Anon Friends', 'anon'],
    ['12 Step', '12 step'],
    ['Twelve-Steps Club', '12 step'],
    ['SUD Services', 'SUD'],
    ['Clean Time', 'clean'],
    ['Behavioral Health', 'behavioral'],
    ['Behavioral Hlth', 'behavioral health'],
    ['Beh Hlth West', 'behavioral health'],
    ['Naloxone Clinic', 'naloxone'],
    ['Narcan Point', 'narcan'],
    ['Naltrexone Co', 'naltrexone'],
    ['Buprenorphine West', 'buprenorphine'],
    ['Vivitrol Center', 'vivitrol'],
    ['Sublocade Clinic', 'sublocade'],
    ['MAT Clinic', 'MAT'],
  ])('refuses "%s", naming %s', (name, word) => {
    const result = parseName(name);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['name']);
    expect(result.error!.issues[0]!.message).toContain(word);
  });

  it.each(['Sunrise', 'Panama House', 'Sunart', 'Cleanwater Bay', 'Matthews Center', 'Nash Road'])(
    'accepts the neutral name "%s"',
    (name) => {
      expect(parseName(name).success).toBe(true);
    },
  );
});
