import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type Scenario, scenarioSchema } from '../../local/simulator/scenario.schema.ts';
import { simulate } from '../../local/simulator/simulation.ts';
import { freshTable } from '../support/dynamo.ts';
import { SPEC_RULES } from './spec-rules.ts';

/** Runs a scenario file on a fresh table and returns what the run produced. */
export async function runScenario(file: string) {
  const scenario: Scenario = scenarioSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const env = await freshTable();
  const result = await simulate(scenario, { doc: env.doc, tableName: env.tableName });
  return { scenario, ...result, env };
}

/** Every rule of the scenario spec, asserted with the violations named. */
export function expectSpecRules(
  scenario: Scenario,
  events: Awaited<ReturnType<typeof runScenario>>['events'],
) {
  const violations = Object.fromEntries(
    Object.entries(SPEC_RULES)
      .map(([name, rule]) => [name, rule(scenario, events)] as const)
      .filter(([, found]) => found.length > 0),
  );
  expect(violations).toEqual({});
}
