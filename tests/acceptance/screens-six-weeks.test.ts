import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoTable } from '../../functions/adapters/dynamodb/dynamo-table.ts';
import { DynamoScreeningRepository } from '../../functions/adapters/dynamodb/screening.repository.ts';
import { verifyDraw } from '../../functions/domain/screening.ts';
import { dayOfWeek } from '../../functions/domain/zoned-time.ts';
import { expectSpecRules, runScenario } from './run-scenario.ts';

/** Issue 5's acceptance: six weeks, 50 clients on Mon/Wed/Fri tracks, draws on Mon/Wed/Fri at 10 %. */
describe('scenario screens-six-weeks.json', () => {
  let run: Awaited<ReturnType<typeof runScenario>>;
  beforeAll(async () => {
    run = await runScenario('scenarios/screens-six-weeks.json');
  });

  it('keeps every rule of the scenario spec, the weekly minimum included', () => {
    expect(run.jobErrors).toEqual([]);
    expectSpecRules(run.scenario, run.events);
  });

  it('draws only on policy days, and only once a day', () => {
    const draws = run.events.filter((e) => e.type === 'screen.draw');
    expect(draws.length).toBe(18); // 6 weeks x 3 draw days
    for (const d of draws) expect(['MON', 'WED', 'FRI']).toContain(dayOfWeek(String(d.date)));
    expect(new Set(draws.map((d) => d.date)).size).toBe(draws.length);
  });

  it('stores every draw so that verifyDraw reproduces it from its seed', async () => {
    const screening = new DynamoScreeningRepository(new DynamoTable(run.env.doc, run.env.tableName));
    const stored = await screening.listDraws('harbor', '2027-04-01', '2027-05-31');
    const drawn = run.events.filter((e) => e.type === 'screen.draw');
    expect(stored.map((d) => d.date)).toEqual(drawn.map((d) => d.date));
    for (const draw of stored) {
      expect(verifyDraw(draw)).toBe(true);
      expect(draw.seed).toBe(drawn.find((d) => d.date === draw.date)!.seed);
    }
    expect(new Set(stored.map((d) => d.seed)).size).toBe(stored.length);
  });

  it('adds clients with reason "minimum" on the last draw day of a week', () => {
    const minimum = run.events.filter((e) => e.type === 'screen.selected' && e.reason === 'minimum');
    expect(minimum.length).toBeGreaterThan(0);
    for (const m of minimum) expect(dayOfWeek(String(m.date))).toBe('FRI');
  });

  it('alerts the care team about a positive result, and never texts the client about it', () => {
    const positive = run.events.filter((e) => e.type === 'screen.result' && e.result === 'positive');
    expect(positive).toHaveLength(1);
    const alert = run.events.find((e) => e.type === 'careteam.alert' && e.reason === 'screen-positive');
    expect(alert).toMatchObject({ clientId: 'c-010' });
    expect(String(alert!.body)).not.toMatch(/positive/i);
  });
});
