import { beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../functions/domain/zoned-time.ts';
import type { Scenario } from '../../local/simulator/scenario.schema.ts';
import { lateOutcomes, outcomeCounts, outcomes } from './outcomes.ts';
import { readScenario, runScenarioData, specViolations } from './run-scenario.ts';

type Run = Awaited<ReturnType<typeof runScenarioData>>;

/**
 * A storm of refused calls over a whole scenario: every morning's quiet-hours release, draws,
 * sweeps, weekly generations and alerts hit on every port, dozens of failed jobs. Nothing may be
 * lost or doubled, nothing later than 15 minutes. `STORM_SCENARIOS=a.json,b.json` runs others
 * (screens-month and screens-six-weeks pass too, at about a minute each).
 */
const FILES = (process.env.STORM_SCENARIOS ?? 'scenarios/dst-lifecycle.json').split(',');

function withStorm(base: Scenario): Scenario {
  const faults: Scenario['actions'] = [];
  for (let d = 0; d < base.run.days; d++) {
    const day = addDays(base.run.from, d);
    faults.push({ at: `${day}T08:00`, type: 'fault', port: 'sms', count: 2 });
    if (d % 2 === 0) faults.push({ at: `${day}T06:00`, type: 'fault', port: 'database', count: 2 });
    if (d % 3 === 0) faults.push({ at: `${day}T05:30`, type: 'fault', port: 'database', count: 3 });
    if (d % 4 === 2) faults.push({ at: `${day}T12:00`, type: 'fault', port: 'database', count: 4 });
    if (d % 7 === 1) faults.push({ at: `${day}T06:00`, type: 'fault', port: 'scheduler', count: 2 });
    if (d % 7 === 6) faults.push({ at: `${day}T00:05`, type: 'fault', port: 'scheduler', count: 3 });
    // Refusals left unused add up (the spec's `count` is of calls, not of days): alerts are rare.
    if (d % 7 === 2) faults.push({ at: `${day}T09:20`, type: 'fault', port: 'careteam', count: 1 });
  }
  return { ...base, actions: [...base.actions, ...faults] };
}

for (const file of FILES) {
  describe(`a storm of refused calls over ${file}`, () => {
    const base = readScenario(file);
    const scenario = withStorm(base);
    let faulty: Run;
    let clean: Run;
    beforeAll(async () => {
      clean = await runScenarioData(base);
      faulty = await runScenarioData(scenario);
    }, 300_000);

    it('keeps every rule of the scenario spec, with many jobs failed and none given up', () => {
      expect(faulty.events.filter((e) => e.type === 'job.failed').length).toBeGreaterThan(20);
      expect(faulty.jobErrors).toEqual([]);
      expect(specViolations(scenario, faulty.events)).toEqual({});
    });

    it('sends, alerts, flags and draws what the calm run does, at most 15 minutes later', () => {
      const withFaults = outcomes(faulty.events);
      const expected = outcomes(clean.events);
      expect(outcomeCounts(withFaults)).toEqual(outcomeCounts(expected));
      expect(lateOutcomes(withFaults, expected)).toEqual([]);
    });
  });
}
