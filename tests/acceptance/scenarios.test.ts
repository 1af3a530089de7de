import { describe, expect, it } from 'vitest';
import { expectSpecRules, runScenario } from './run-scenario.ts';

describe.each(['basic-week.json', 'screens-month.json'])('shared scenario %s', (file) => {
  it('runs through the real jobs and keeps every rule of the scenario spec', async () => {
    const { scenario, events, jobErrors } = await runScenario(`scenarios/${file}`);
    expect(jobErrors).toEqual([]);
    expect(events.filter((e) => e.type === 'session.scheduled').length).toBeGreaterThan(0);
    expectSpecRules(scenario, events);
  });
});
