import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, type ExpectStatic, it } from 'vitest';
import { DynamoTable } from '../../functions/adapters/dynamodb/dynamo-table.ts';
import type { Program } from '../../functions/domain/program.schema.ts';
import type { OneTimeJob, RecurringJob } from '../../functions/ports/job-scheduler.port.ts';
import { endEnrolment } from '../../functions/use-cases/client-lifecycle.ts';
import { generateWeek } from '../../functions/use-cases/generate-week.ts';
import { createProgram, deleteProgram, updateProgram } from '../../functions/use-cases/programs.ts';
import type { LocalSystem } from '../../local/adapters/local-deps.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';
import {
  duplicates,
  type EndState,
  endState,
  fixedRandom,
  instrumentPorts,
  PortCalls,
  type RecordedCall,
  scanAll,
  stableJson,
} from '../support/faults.ts';
import { aClient, aClinician, aProgram } from '../support/fixtures.ts';

/**
 * Invariant 10 for the program use cases, as tests/integration/job-faults.test.ts does it for the
 * jobs: a clean run counts its port calls; then each call is refused once on a fresh copy of the
 * same table, the run throws, the same request is made again, and the end state (items, messages,
 * one-time and recurring jobs, events) must be the clean run's.
 */

const MAX_OCCURRENCES = 3;
const SEED_AT = '2027-01-01T12:00:00Z'; // Friday before the first week
const RUN_AT = '2027-01-04T15:00:00Z'; // Monday 10:00 in New York

interface Scenario {
  name: string;
  seed: (sys: LocalSystem) => Promise<void>;
  run: (sys: LocalSystem) => Promise<unknown>;
  expectClean: (state: State, expect: ExpectStatic) => void;
}

type State = EndState & { recurring: string[] };

const base = aProgram({ individual: { perWeek: 0, minutes: 60 } });
const events = (state: State, type: string) => state.events.filter((e) => e.includes(`"type":"${type}"`));

async function seedClinic(sys: LocalSystem, program: Program = base) {
  await createProgram(sys.deps, program);
  await sys.deps.programs.putClinician(program.id, aClinician());
  await sys.deps.clients.createClient(program.id, aClient({ id: 'c-001', track: 'evening' }));
  await sys.deps.clients.createClient(
    program.id,
    aClient({ id: 'c-002', track: 'morning', phone: '+12025550102' }),
  );
  for (const week of ['2027-W01', '2027-W02']) await generateWeek(sys.deps, { programId: program.id, week });
}

const scenarios: Scenario[] = [
  {
    name: 'updateProgram (a group moved, a day dropped and one added, offsets and screens changed)',
    seed: (sys) => seedClinic(sys),
    run: (sys) =>
      updateProgram(
        sys.deps,
        aProgram({
          individual: { perWeek: 0, minutes: 60 },
          tracks: [
            base.tracks[0]!,
            {
              id: 'evening',
              groups: [{ days: ['MON', 'THU', 'FRI'], start: '17:30', minutes: 180, topic: 'support' }],
            },
          ],
          reminders: { offsetsMinutes: [2880, 120] },
          drugScreens: { days: ['TUE'], drawAt: '07:00' },
        }),
      ),
    expectClean(state, expect) {
      // Tuesday's evening group is gone in both weeks; Monday's and Thursday's move to 17:30
      expect(events(state, 'session.cancelled')).toHaveLength(2);
      expect(events(state, 'session.rescheduled')).toHaveLength(4);
      // and the Friday evening groups are new, in both weeks
      const fridays = ['"date":"2027-01-08"', '"date":"2027-01-15"'];
      expect(
        events(state, 'session.scheduled').filter((e) => fridays.some((f) => e.includes(f))),
      ).toHaveLength(2);
      // no reminder still to come at the dropped offset (the seed's past ones never fired here)
      const coming = state.pending.map((j) => JSON.parse(j) as OneTimeJob).filter((j) => j.at > RUN_AT);
      expect(coming.filter((j) => j.name.endsWith('-1440'))).toEqual([]);
      expect(coming.filter((j) => j.name.endsWith('-2880')).length).toBeGreaterThan(0);
      expect(state.recurring.map((r) => JSON.parse(r).name).sort()).toEqual([
        'draw-sunrise',
        'sweep-sunrise',
        'week-sunrise',
      ]);
    },
  },
  {
    name: 'deleteProgram',
    async seed(sys) {
      await seedClinic(sys, aProgram({ individual: { perWeek: 0, minutes: 60 }, drugScreens: {} }));
      for (const id of ['c-001', 'c-002']) await endEnrolment(sys.deps, 'sunrise', id);
    },
    run: (sys) => deleteProgram(sys.deps, 'sunrise'),
    expectClean(state, expect) {
      expect(state.recurring).toEqual([]);
      expect(state.items.filter((i) => i.includes('"entity":"program"'))).toEqual([]);
    },
  },
  {
    name: 'createProgram',
    seed: async () => undefined,
    run: (sys) => createProgram(sys.deps, aProgram({ drugScreens: {} })),
    expectClean(state, expect) {
      expect(state.recurring).toHaveLength(3);
      expect(state.items.filter((i) => i.includes('"entity":"program"'))).toHaveLength(1);
    },
  },
];

interface Template {
  items: Record<string, unknown>[];
  pending: OneTimeJob[];
  recurring: RecurringJob[];
}

async function makeTemplate(scenario: Scenario): Promise<Template> {
  const { doc, tableName } = await freshTable();
  const sys = localDeps(doc, tableName, SEED_AT);
  await scenario.seed(sys);
  const template = {
    items: await scanAll(doc, tableName),
    pending: sys.scheduler.pending(),
    recurring: sys.scheduler.recurringJobs().map(({ next: _, ...job }) => job),
  };
  doc.destroy();
  return template;
}

async function startFrom(template: Template) {
  const { doc, tableName } = await freshTable();
  await new DynamoTable(doc, tableName).batchPut(template.items);
  const sys = localDeps(doc, tableName, RUN_AT);
  sys.deps.random = fixedRandom;
  for (const job of template.pending) await sys.scheduler.scheduleOnce(job);
  for (const job of template.recurring) await sys.scheduler.scheduleRecurring(job);
  const calls = new PortCalls();
  instrumentPorts(sys.deps, doc, calls);
  return { sys, doc, tableName, calls };
}

async function finish(sys: LocalSystem, doc: DynamoDBDocumentClient, tableName: string): Promise<State> {
  const state = await endState(sys, doc, tableName);
  doc.destroy();
  return { ...state, recurring: sys.scheduler.recurringJobs().map(stableJson).sort() };
}

function callsToRefuse(calls: RecordedCall[]): RecordedCall[] {
  const totals = new Map<string, number>();
  for (const c of calls) totals.set(c.label, (totals.get(c.label) ?? 0) + 1);
  return calls.filter((c) => {
    const total = totals.get(c.label)!;
    return total <= MAX_OCCURRENCES || c.occurrence < MAX_OCCURRENCES || c.occurrence === total;
  });
}

function expectSameEnd(expect: ExpectStatic, actual: State, clean: State) {
  expect.soft(duplicates(actual.events), 'an event was recorded twice').toEqual([]);
  expect.soft(actual.items, 'table items').toEqual(clean.items);
  expect.soft(actual.pending, 'pending one-time jobs').toEqual(clean.pending);
  expect.soft(actual.recurring, 'recurring jobs').toEqual(clean.recurring);
  expect.soft(actual.events, 'activity events').toEqual(clean.events);
  expect.soft(actual.outbox, 'messages').toEqual(clean.outbox);
}

const prepared = await Promise.all(
  scenarios.map(async (scenario) => {
    const template = await makeTemplate(scenario);
    const { sys, doc, tableName, calls } = await startFrom(template);
    await calls.during(() => scenario.run(sys));
    return { scenario, template, calls: calls.calls, clean: await finish(sys, doc, tableName) };
  }),
);

describe('program changes survive one refused call at any step (invariant 10)', () => {
  for (const { scenario, template, calls, clean } of prepared) {
    describe.concurrent(scenario.name, () => {
      it(`${scenario.name}: the clean run does what it is for (${calls.length} calls)`, ({ expect }) => {
        expect(duplicates(clean.events)).toEqual([]);
        scenario.expectClean(clean, expect);
      });

      it(`${scenario.name}: making the same request twice ends as making it once`, async ({ expect }) => {
        const { sys, doc, tableName } = await startFrom(template);
        await scenario.run(sys);
        await scenario.run(sys).catch(() => undefined); // a repeated delete answers 404
        expectSameEnd(expect, await finish(sys, doc, tableName), clean);
      });

      for (const call of callsToRefuse(calls)) {
        it(`${scenario.name}: refusing call ${call.index} (${call.label} #${call.occurrence}) once`, async ({
          expect,
        }) => {
          const { sys, doc, tableName, calls: faulty } = await startFrom(template);
          faulty.refuseOnce({ label: call.label, occurrence: call.occurrence });
          const first = await faulty
            .during(() => scenario.run(sys))
            .then(
              () => undefined,
              (error: unknown) => error,
            );
          expect(faulty.refused).toHaveLength(1);
          expect(first).toBeInstanceOf(Error);
          await scenario.run(sys);
          expectSameEnd(expect, await finish(sys, doc, tableName), clean);
        });
      }
    });
  }
});
