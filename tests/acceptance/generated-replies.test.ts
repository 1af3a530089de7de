import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/domain/zoned-time.ts';
import type { Scenario } from '../../local/simulator/scenario.schema.ts';
import { scenarioSchema } from '../../local/simulator/scenario.schema.ts';
import { readScenario, runScenarioData, specViolations } from './run-scenario.ts';

/** A small seeded generator (mulberry32): the same scenarios on every run, a different one per seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

const TEXTS = [
  'STOP',
  'stop',
  'Stopall',
  'UNSUBSCRIBE',
  'cancel',
  'END',
  'quit',
  'START',
  'unstop',
  'HELP',
  'info',
  'C',
  'c',
  'CONFIRM',
  'y',
  'Yes',
  'SI',
  'sí',
  'SÍ',
  'running late',
  "can't make it",
  'llego tarde',
  '¿Puedo cambiar mi cita?',
  'ok',
  '👍',
  'C.',
  'yes!',
  'no',
];

/**
 * A scenario nobody wrote by hand: one of the shared ones, with some clients reading Spanish,
 * replies of every kind at any hour (quiet hours too), and a reschedule.
 */
function generated(base: Scenario, seed: number) {
  const r = random(seed);
  const clients = base.clients.map((c) => ({ ...c, language: r.next() < 0.5 ? 'es' : 'en' }));
  const at = () => {
    const date = addDays(base.run.from, 1 + r.int(base.run.days - 1));
    return `${date}T${String(r.int(24)).padStart(2, '0')}:${String(r.int(12) * 5).padStart(2, '0')}`;
  };
  const replies = Array.from({ length: 24 }, () => ({
    at: at(),
    type: 'sms-reply',
    clientId: r.pick(clients).id,
    text: r.pick(TEXTS),
  }));
  // every kind at least once
  for (const text of ['STOP', 'START', 'HELP', 'C', 'see you soon'])
    replies.push({ at: at(), type: 'sms-reply', clientId: r.pick(clients).id, text });
  return scenarioSchema.parse({ ...base, clients, actions: [...base.actions, ...replies] });
}

describe('scenarios with replies of every kind and Spanish clients, generated', () => {
  it.each([
    ['basic-week.json', 1],
    ['basic-week.json', 2],
    ['screens-month.json', 3],
    ['faults-every-port.json', 4],
    ['dst-lifecycle.json', 5],
  ])('%s with generated replies (seed %i) keeps every rule of the spec', async (file, seed) => {
    const scenario = generated(readScenario(`scenarios/${file}`), seed);
    const { events, jobErrors } = await runScenarioData(scenario);
    expect(jobErrors).toEqual([]);
    expect(specViolations(scenario, events)).toEqual({});
    expect(new Set(events.filter((e) => e.type === 'sms.received').map((e) => e.keyword))).toEqual(
      new Set(['stop', 'start', 'help', 'confirm', 'other']),
    );
  });
});
