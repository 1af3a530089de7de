import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../local/simulator/scenario.schema.ts';
import { simulate } from '../../local/simulator/simulation.ts';
import { freshTable } from '../support/dynamo.ts';
import { SPEC_RULES } from './spec-rules.ts';

const files = readdirSync('scenarios')
  .filter((f) => f.endsWith('.json'))
  .sort();

describe.each(files)('scenario %s', (file) => {
  it('runs through the real jobs and keeps every rule of the scenario spec', async () => {
    const scenario = scenarioSchema.parse(JSON.parse(readFileSync(`scenarios/${file}`, 'utf8')));
    const { doc, tableName } = await freshTable();
    const { events, jobErrors } = await simulate(scenario, { doc, tableName });
    expect(jobErrors).toEqual([]);
    expect(events.filter((e) => e.type === 'session.scheduled').length).toBeGreaterThan(0);
    const violations = Object.fromEntries(
      Object.entries(SPEC_RULES)
        .map(([name, rule]) => [name, rule(scenario, events)] as const)
        .filter(([, found]) => found.length > 0),
    );
    expect(violations).toEqual({});
  });
});
