import { describe, expect, it } from 'vitest';
import {
  loadStageConfig,
  parseStageConfig,
  STAGE_CONFIGS,
  type Stage,
  type StageConfigInput,
} from '../../infra/config.ts';

/** The error synthesis stops with, for a config of `stage` (what `npm run synth` prints). */
function refusal(input: StageConfigInput, stage: Stage): string {
  try {
    loadStageConfig(stage, { ...STAGE_CONFIGS, [stage]: input });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`the ${stage} config was accepted`);
}

const prod = STAGE_CONFIGS.prod;

describe('prod config: synthesis refuses what cannot work, in one line naming the field', () => {
  it('accepts the shipped prod config (its example values are to be replaced: docs/deploy.md)', () => {
    const { config } = loadStageConfig('prod');
    expect(config.opsEmails.length).toBeGreaterThan(0);
    expect(config.careTeam.length).toBeGreaterThan(0);
    expect(config.sms.originationNumber).toMatch(/^\+1\d{10}$/);
    // placeholders, not someone's real address or number
    for (const email of [...config.opsEmails, ...config.careTeam.map((m) => m.email)])
      expect(email).toMatch(/\.example$/);
    expect(config.sms.originationNumber).toMatch(/^\+1\d{3}55501\d\d$/);
  });

  it.each([
    [
      'opsEmails',
      { ...prod, opsEmails: [] },
      /^invalid prod config \(infra\/config\.ts\): opsEmails: prod needs/,
    ],
    [
      'careTeam',
      { ...prod, careTeam: [] },
      /^invalid prod config \(infra\/config\.ts\): careTeam: prod needs/,
    ],
    [
      'sms.originationNumber',
      { ...prod, sms: { ...prod.sms, originationNumber: undefined } },
      /^invalid prod config \(infra\/config\.ts\): sms\.originationNumber: prod needs a registered origination number/,
    ],
  ] as const)('refuses a prod config without %s', (_field, input, message) => {
    const error = refusal(input as StageConfigInput, 'prod');
    expect(error).toMatch(message);
    expect(error).not.toContain('\n');
    expect(error.split('; ')).toHaveLength(1);
  });

  it('lets dev go without recipients or an origination number (the SMS sandbox texts verified numbers)', () => {
    const { config } = loadStageConfig('dev');
    expect(config.opsEmails).toEqual([]);
    expect(config.careTeam).toEqual([]);
    expect(config.sms.originationNumber).toBeUndefined();
  });

  it.each(['dev', 'prod'] as const)(
    'refuses, in %s, a config that still lists programs or a default time zone, saying what to do instead',
    (stage) => {
      const legacy = {
        ...STAGE_CONFIGS[stage],
        defaultTimezone: 'America/New_York',
        programs: [{ id: 'sunrise', reminders: { offsetsMinutes: [1440, 120] } }],
      } as unknown as StageConfigInput;
      const error = refusal(legacy, stage);
      expect(error).toMatch(
        new RegExp(
          `^invalid ${stage} config \\(infra/config\\.ts\\): programs: programs are no longer listed here: remove this field; .*docs/deploy\\.md, "Upgrading"`,
        ),
      );
      expect(error).toMatch(/defaultTimezone: no longer used/);
      expect(error).not.toContain('\n');
    },
  );
});

describe('care team: each member receives their own programs', () => {
  const withCareTeam = (careTeam: StageConfigInput['careTeam']): StageConfigInput => ({ ...prod, careTeam });

  it('accepts members naming program ids (the programs themselves are created through the API)', () => {
    const config = parseStageConfig(
      withCareTeam([
        { email: 'lee@clinic.example', programs: ['sunrise'] },
        { email: 'kim@clinic.example', programs: ['sunrise', 'harbor'] },
      ]),
      'prod',
    );
    expect(config.careTeam.map((m) => m.programs)).toEqual([['sunrise'], ['sunrise', 'harbor']]);
  });

  it('refuses what cannot be a program id, naming the entry', () => {
    expect(refusal(withCareTeam([{ email: 'lee@clinic.example', programs: ['Sun Rise'] }]), 'prod')).toMatch(
      /careTeam\.0\.programs\.0: expected 1-40 characters of a-z, 0-9 and -/,
    );
  });

  it('refuses a member with no program (they would receive nothing)', () => {
    expect(refusal(withCareTeam([{ email: 'lee@clinic.example', programs: [] }]), 'prod')).toMatch(
      /careTeam\.0\.programs: expected at least one program id/,
    );
  });

  it('refuses the same address twice (one subscription per address)', () => {
    expect(
      refusal(
        withCareTeam([
          { email: 'lee@clinic.example', programs: ['sunrise'] },
          { email: 'Lee@clinic.example', programs: ['harbor'] },
        ]),
        'prod',
      ),
    ).toMatch(/careTeam\.1\.email: Lee@clinic\.example is listed twice/);
  });
});

describe('other settings', () => {
  it('takes an https appBaseUrl for alert links, never a .invalid placeholder', () => {
    expect(
      parseStageConfig({ ...prod, appBaseUrl: 'https://cadence.clinic.example/' }, 'prod').appBaseUrl,
    ).toBe('https://cadence.clinic.example');
    expect(refusal({ ...prod, appBaseUrl: 'https://cadence.invalid' }, 'prod')).toMatch(
      /appBaseUrl: expected a reachable host/,
    );
    expect(refusal({ ...prod, appBaseUrl: 'http://cadence.clinic.example' }, 'prod')).toMatch(
      /appBaseUrl: expected an https URL/,
    );
  });

  it('paces SMS at 20 a second per identity from the single number unless told (prod: toll-free, 3 a second)', () => {
    const dev = loadStageConfig('dev').config.sms;
    expect(dev.perSecond).toBe(20);
    expect(dev.originationPool).toEqual([]);
    expect(loadStageConfig('prod').config.sms.perSecond).toBe(3);
  });

  it('takes a pool of E.164 origination numbers, each once, and a whole perSecond of 1 to 1000', () => {
    const sms = (extra: Partial<StageConfigInput['sms']>) => ({ ...prod, sms: { ...prod.sms, ...extra } });
    expect(
      parseStageConfig(sms({ originationPool: ['+18335550101', '+18335550102'], perSecond: 6 }), 'prod').sms,
    ).toMatchObject({ originationPool: ['+18335550101', '+18335550102'], perSecond: 6 });
    expect(refusal(sms({ originationPool: ['+18335550101', '+18335550101'] }), 'prod')).toMatch(
      /sms\.originationPool: lists a number twice/,
    );
    expect(
      refusal(sms({ originationPool: ['arn:aws:sms-voice:us-east-1:111122223333:phone-number/x'] }), 'prod'),
    ).toMatch(/sms\.originationPool\.0: expected E\.164/);
    expect(refusal(sms({ perSecond: 2.5 }), 'prod')).toMatch(/sms\.perSecond: expected a whole number/);
    expect(refusal(sms({ perSecond: 0 }), 'prod')).toMatch(/sms\.perSecond/);
    expect(refusal(sms({ perSecond: 1001 }), 'prod')).toMatch(/sms\.perSecond/);
  });

  it('lets prod send from a pool instead of a single number', () => {
    const { config } = loadStageConfig('prod', {
      ...STAGE_CONFIGS,
      prod: {
        ...prod,
        sms: { ...prod.sms, originationNumber: undefined, originationPool: ['+18335550101'] },
      },
    });
    expect(config.sms.originationPool).toEqual(['+18335550101']);
  });

  it('reserves concurrency only for functions Cadence has', () => {
    expect(
      parseStageConfig({ ...prod, reservedConcurrency: { 'send-reminder': 5 } }, 'prod').reservedConcurrency,
    ).toEqual({ 'send-reminder': 5 });
    expect(() =>
      parseStageConfig({ ...prod, reservedConcurrency: { 'send-reminders': 5 } as never }, 'prod'),
    ).toThrow(/reservedConcurrency/);
  });
});
