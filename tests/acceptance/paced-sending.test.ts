import { beforeAll, describe, expect, it } from 'vitest';
import type { StampedEvent } from '../../local/adapters/recording-activity-log.ts';
import { type Scenario, scenarioSchema } from '../../local/simulator/scenario.schema.ts';
import { readScenario, runScenarioData, specViolations } from './run-scenario.ts';
import { withSmsPacingSlack } from './spec-rules.ts';

/**
 * Paced sending in the simulator (issue 16): 45 clients on one track, so their group's reminders
 * fall due in the same second, sent from one identity at 3 messages a second (a toll-free
 * number). They go out over 15 seconds, never more than 3 in a second, each within that spread
 * of its time and before its session; every other rule of the spec holds as it does unpaced.
 */
const RATE = 3;
const CLIENTS = 45;

const base = readScenario('scenarios/basic-week.json');
const scenario: Scenario = scenarioSchema.parse({
  ...base,
  program: { ...base.program, individual: { perWeek: 0, minutes: 60 } },
  clients: Array.from({ length: CLIENTS }, (_, i) => ({
    id: `c-${String(i + 1).padStart(3, '0')}`,
    phone: `+120255${String(50100 + i).padStart(5, '0')}`,
    track: 'evening',
    start: '2027-01-04',
    smsConsent: true,
  })),
  run: { from: '2027-01-03', days: 4 },
  absences: [{ clientId: 'c-007', date: '2027-01-05' }],
  actions: [{ at: '2027-01-04T12:00', type: 'opt-out', clientId: 'c-002' }],
});

describe(`${CLIENTS} clients whose reminders fall due together, at ${RATE} SMS a second`, () => {
  let events: StampedEvent[];
  beforeAll(async () => {
    events = (await runScenarioData(scenario, { smsPerSecond: RATE })).events;
  }, 120_000);

  const sent = () => events.filter((e) => e.type === 'sms.sent');

  it('never sends more than the rate in any second', () => {
    const perSecond = new Map<string, number>();
    for (const e of sent()) perSecond.set(String(e.at), (perSecond.get(String(e.at)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBe(RATE);
  });

  it('spreads a burst over the seconds it needs, every reminder before its session', () => {
    const spread = Math.ceil(CLIENTS / RATE);
    // Tuesday's 18:00 group: 2-hour reminders due at 16:00 (Chicago), 45 of them less an opted-out client.
    const burst = sent().filter(
      (e) => e.offsetMinutes === 120 && String(e.at).startsWith('2027-01-05T22:00'),
    );
    expect(burst.length).toBe(CLIENTS - 1);
    const seconds = burst.map((e) => Number(String(e.at).slice(17, 19)));
    expect(Math.min(...seconds)).toBe(0);
    expect(Math.max(...seconds)).toBe(spread - 1);
    for (const e of sent().filter((x) => x.purpose === 'reminder')) {
      const session = events.find((s) => s.type === 'session.scheduled' && s.sessionId === e.sessionId)!;
      expect(String(e.at) < String(session.start)).toBe(true);
    }
  });

  it('keeps every rule of the scenario spec, with lateness at most the spread', () => {
    const violations = withSmsPacingSlack(Math.ceil(CLIENTS / RATE), () => specViolations(scenario, events));
    expect(violations).toEqual({});
  });

  it('would break the exact-time rule unpaced, so the slack above is what lets it pass', () => {
    expect(specViolations(scenario, events).remindersFollowOffsetsAndDeferral?.length ?? 0).toBeGreaterThan(
      0,
    );
  });

  it('sends nothing to the client who opted out, and notes the miss of the absent one', () => {
    expect(sent().filter((e) => e.clientId === 'c-002' && String(e.at) > '2027-01-04T18:00:00Z')).toEqual([]);
    expect(sent().filter((e) => e.clientId === 'c-007' && e.purpose === 'missed-session')).toHaveLength(1);
  });
});
