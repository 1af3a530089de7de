import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type Scenario, scenarioSchema } from '../../local/simulator/scenario.schema.ts';
import { simulate } from '../../local/simulator/simulation.ts';
import { freshTable } from '../support/dynamo.ts';
import { SPEC_RULES } from './spec-rules.ts';

export const readScenario = (file: string): Scenario =>
  scenarioSchema.parse(JSON.parse(readFileSync(file, 'utf8')));

/** Runs a scenario file on a fresh table and returns what the run produced. */
export async function runScenario(file: string) {
  return runScenarioData(readScenario(file));
}

/** Runs a parsed scenario on a fresh table (at the simulator's SMS rate unless told). */
export async function runScenarioData(scenario: Scenario, options: { smsPerSecond?: number } = {}) {
  const env = await freshTable();
  const result = await simulate(scenario, { doc: env.doc, tableName: env.tableName, ...options });
  return { scenario, ...result, env };
}

/** The violations of every rule of the scenario spec, by rule; empty when they all hold. */
export function specViolations(
  scenario: Scenario,
  events: Awaited<ReturnType<typeof runScenario>>['events'],
): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(SPEC_RULES)
      .map(([name, rule]) => [name, rule(scenario, events)] as const)
      .filter(([, found]) => found.length > 0),
  );
}

/** Every rule of the scenario spec, asserted with the violations named. */
export function expectSpecRules(
  scenario: Scenario,
  events: Awaited<ReturnType<typeof runScenario>>['events'],
) {
  expect(specViolations(scenario, events)).toEqual({});
}
