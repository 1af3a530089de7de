import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, type ExpectStatic, expect, it } from 'vitest';
import { DynamoTable } from '../../functions/adapters/dynamodb/dynamo-table.ts';
import type { ClientInput } from '../../functions/domain/client.schema.ts';
import type { ProgramInput } from '../../functions/domain/program.schema.ts';
import type { Session } from '../../functions/domain/session.schema.ts';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { jobRegistry } from '../../functions/jobs/registry.ts';
import type { JobTarget, OneTimeJob } from '../../functions/ports/job-scheduler.port.ts';
import { checkAttendance } from '../../functions/use-cases/attendance.ts';
import { endEnrolment, optIn, optOut } from '../../functions/use-cases/client-lifecycle.ts';
import { evaluateClientEngagement } from '../../functions/use-cases/flags.ts';
import { generateWeek } from '../../functions/use-cases/generate-week.ts';
import { drawScreensForDay, recordScreenResult } from '../../functions/use-cases/screens.ts';
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
} from '../support/faults.ts';
import { aClient, aClinician, aProgram } from '../support/fixtures.ts';

/**
 * Invariant 10, table-driven: every job and every writing use case survives a refused call at any
 * step. For each scenario: a clean run on a fresh table, counting its calls (SMS, care team,
 * scheduler, every DynamoDB command); then, for each of those calls, the same seed on a fresh
 * table and the same clock: that call is refused once (a throttling error, as the AWS SDK reports
 * it), the run throws, it is run again (the retry), and the end state must equal the clean run's:
 * the same items, the same messages (each exactly once), the same pending jobs, the same events.
 *
 * Calls made in parallel (the draw follows up its selections a few at a time) may come in another
 * order in another run, so a call is identified by its label and occurrence (`dynamodb:PutItemCommand
 * #3`, the third PutItem, as the SDK names its commands), not by its position alone. Every call of
 * every scenario is tested, except where a label occurs more than MAX_OCCURRENCES times in one run
 * (optIn re-creates 9 reminder schedules): then its first MAX_OCCURRENCES - 1 occurrences and its
 * last are tested.
 *
 * A run that throws is over, as a Lambda invocation is when its handler rejects: work it still had
 * running in parallel makes no further call (PortCalls in tests/support/faults.ts), and the retry
 * starts once the calls already sent have come back. A failure lists those calls in its message.
 */

const MAX_OCCURRENCES = 4;
const PROGRAM = 'sunrise';
const SEED_AT = '2027-01-01T12:00:00Z'; // Friday before the first week

type Seeded = Record<string, unknown>;

interface Scenario {
  name: string;
  program?: Partial<ProgramInput>;
  clients: Partial<ClientInput>[];
  weeks: string[];
  /** After the program, clients and weeks exist; may move the clock; returns what `run` needs. */
  seed?: (sys: LocalSystem) => Promise<Seeded>;
  runAt: string;
  run: (sys: LocalSystem, seeded: Seeded) => Promise<unknown>;
  /** What the clean run must have done, so that "the same as the clean run" means something. */
  expectClean: (state: EndState, expect: ExpectStatic) => void;
}

const sms = (state: EndState, text: string) =>
  state.outbox.filter((m) => m.startsWith('sms') && m.includes(text));
const alerts = (state: EndState, reason: string) =>
  state.outbox.filter((m) => m.startsWith('care-team') && m.includes(`"reason":"${reason}"`));
const jobs = (state: EndState, prefix: string) =>
  state.pending.filter((j) => j.includes(`"name":"${prefix}`));
const events = (state: EndState, type: string) => state.events.filter((e) => e.includes(`"type":"${type}"`));

const job = (target: JobTarget, deps: LocalSystem['deps'], payload: Record<string, unknown>) =>
  runJob(jobRegistry[target]!, deps, payload);

async function sessionsOf(sys: LocalSystem, clientId: string): Promise<Session[]> {
  return (await sys.deps.sessions.listSessionsByClient(PROGRAM, clientId)).sort((a, b) =>
    a.start < b.start ? -1 : 1,
  );
}

/** Writes an attendance straight to the table: seed data, without the hooks a check-in runs. */
async function setAttendance(sys: LocalSystem, session: Session, attendance: 'present' | 'absent') {
  const current = (await sys.deps.sessions.getSession(PROGRAM, session.sessionId))!;
  const next: Session = {
    ...current,
    attendance,
    ...(attendance === 'absent' ? { missedAt: sys.deps.clock.now() } : {}),
    version: current.version + 1,
  };
  expect(await sys.deps.sessions.replaceSession(next, current.version)).toBe(true);
}

const screensPolicy = { drugScreens: { rate: 0.75, minPerWeek: 0, windowHours: 8 } } as const;
const fourEveningClients = ['c-001', 'c-002', 'c-003', 'c-004'].map((id, i) => ({
  id,
  phone: `+1202555010${i + 1}`,
}));
/** Monday 2027-01-04 09:00 in New York: the draw, outside quiet hours. */
const DRAW_AT = '2027-01-04T14:00:00Z';

const scenarios: Scenario[] = [
  {
    name: 'send-reminder (a reminder)',
    clients: [{}],
    weeks: ['2027-W01'],
    async seed(sys) {
      const monday = (await sessionsOf(sys, 'c-001'))[0]!;
      const reminder = sys.scheduler.pending().find((j) => j.name === `rem-${monday.sessionId}-1440`)!;
      return { job: reminder };
    },
    runAt: '2027-01-03T23:00:00Z',
    run: (sys, s) => {
      const reminder = s.job as OneTimeJob;
      return job('send-reminder', sys.deps, { ...reminder.payload, scheduledTime: reminder.at });
    },
    expectClean(state, expect) {
      expect(state.outbox).toEqual([
        expect.stringMatching(/^sms to \+12025550101 .*reminder of your appointment Mon 6:00 PM/),
      ]);
      expect(events(state, 'sms.sent')).toHaveLength(1);
    },
  },
  {
    name: 'send-reminder (a missed-session note)',
    clients: [{}],
    weeks: ['2027-W01'],
    async seed(sys) {
      const monday = (await sessionsOf(sys, 'c-001'))[0]!;
      sys.clock.set('2027-01-04T23:20:00Z');
      await setAttendance(sys, monday, 'absent');
      return { sessionId: monday.sessionId, start: monday.start };
    },
    runAt: '2027-01-05T14:00:00Z', // Tuesday 09:00, when quiet hours ended
    run: (sys, s) =>
      job('send-reminder', sys.deps, {
        programId: PROGRAM,
        sessionId: s.sessionId,
        purpose: 'missed-session',
        start: s.start,
        scheduledTime: '2027-01-05T14:00:00Z',
      }),
    expectClean(state, expect) {
      expect(state.outbox).toEqual([
        expect.stringMatching(/^sms to \+12025550101 .*we missed you at your appointment Mon/),
      ]);
    },
  },
  {
    name: 'check-attendance (2nd consecutive miss: alert, note, flag)',
    clients: [{}],
    weeks: ['2027-W01'],
    async seed(sys) {
      const [monday, tuesday] = await sessionsOf(sys, 'c-001');
      sys.clock.set('2027-01-04T23:20:00Z');
      await setAttendance(sys, monday!, 'absent');
      return { sessionId: tuesday!.sessionId, start: tuesday!.start };
    },
    runAt: '2027-01-05T23:20:00Z', // Tuesday 18:20, start + grace
    run: (sys, s) => job('check-attendance', sys.deps, { programId: PROGRAM, ...s }),
    expectClean(state, expect) {
      expect(sms(state, 'we missed you')).toHaveLength(1);
      expect(alerts(state, 'missed-session')).toHaveLength(1);
      expect(alerts(state, 'disengagement')).toHaveLength(1);
      expect(events(state, 'flag.raised')).toEqual([expect.stringContaining('"rule":"consecutive-misses"')]);
      expect(jobs(state, 'esc-')).toHaveLength(1);
    },
  },
  {
    name: 'draw-screens (several selections, notices now)',
    program: screensPolicy,
    clients: fourEveningClients,
    weeks: ['2027-W01'],
    runAt: DRAW_AT,
    run: (sys) => job('draw-screens', sys.deps, { programId: PROGRAM, scheduledTime: DRAW_AT }),
    expectClean(state, expect) {
      expect(events(state, 'screen.draw')).toHaveLength(1);
      expect(events(state, 'screen.selected')).toHaveLength(3);
      expect(sms(state, 'please stop by the front desk')).toHaveLength(3);
      expect(jobs(state, 'scr-d-')).toHaveLength(3);
      expect(state.items.filter((i) => i.includes('"entity":"screen"'))).toHaveLength(3);
    },
  },
  {
    name: 'check-screen deadline (no-show, alert, screen-missed flag)',
    program: screensPolicy,
    clients: fourEveningClients,
    weeks: ['2027-W01'],
    async seed(sys) {
      sys.clock.set(DRAW_AT);
      const { draw } = await drawScreensForDay(sys.deps, PROGRAM, '2027-01-04');
      const clientId = draw!.selections[0]!.clientId;
      const deadline = sys.scheduler
        .pending()
        .find((j) => j.target === 'check-screen' && j.payload.clientId === clientId)!;
      return { job: deadline };
    },
    runAt: '2027-01-04T22:00:00Z',
    run: (sys, s) => {
      const deadline = s.job as OneTimeJob;
      return job('check-screen', sys.deps, { ...deadline.payload, scheduledTime: deadline.at });
    },
    expectClean(state, expect) {
      expect(events(state, 'screen.result')).toEqual([expect.stringContaining('"result":"no-show"')]);
      expect(alerts(state, 'screen-missed')).toHaveLength(1);
      expect(events(state, 'flag.raised')).toEqual([expect.stringContaining('"rule":"screen-missed"')]);
      expect(alerts(state, 'disengagement')).toHaveLength(1);
      expect(state.outbox.filter((m) => m.startsWith('sms'))).toEqual([]);
    },
  },
  {
    name: 'escalate-flag',
    clients: [{}],
    weeks: ['2027-W01'],
    async seed(sys) {
      const [monday, tuesday] = await sessionsOf(sys, 'c-001');
      sys.clock.set('2027-01-04T23:20:00Z');
      await setAttendance(sys, monday!, 'absent');
      sys.clock.set('2027-01-05T23:20:00Z');
      await checkAttendance(sys.deps, { programId: PROGRAM, sessionId: tuesday!.sessionId });
      const escalation = sys.scheduler.pending().find((j) => j.target === 'escalate-flag')!;
      return { job: escalation };
    },
    runAt: '2027-01-06T23:20:00Z',
    run: (sys, s) => {
      const escalation = s.job as OneTimeJob;
      return job('escalate-flag', sys.deps, { ...escalation.payload, scheduledTime: escalation.at });
    },
    expectClean(state, expect) {
      expect(state.outbox).toEqual([expect.stringContaining('"reason":"escalation"')]);
      expect(
        state.items.filter((i) => i.includes('"entity":"flag"') && i.includes('"escalatedAt"')),
      ).toHaveLength(1);
    },
  },
  {
    name: 'sweep-engagement (a growing gap raised, a re-engaged client resolved)',
    program: { disengagement: { consecutiveMisses: 10, minSessionsForRate: 50, maxGapDays: 7 } },
    clients: [{ id: 'c-001' }, { id: 'c-002', phone: '+12025550102' }],
    weeks: ['2027-W01', '2027-W02'],
    async seed(sys) {
      const a = await sessionsOf(sys, 'c-001');
      const b = await sessionsOf(sys, 'c-002');
      sys.clock.set('2027-01-08T12:00:00Z');
      await setAttendance(sys, a[0]!, 'present'); // Mon 4th
      await setAttendance(sys, a[1]!, 'absent'); // Tue 5th
      for (const s of b.slice(0, 3)) await setAttendance(sys, s, 'absent'); // Mon, Tue, Thu
      sys.clock.set('2027-01-12T10:30:00Z');
      // c-002's gap flag, raised by the previous day's sweep…
      expect(await evaluateClientEngagement(sys.deps, PROGRAM, 'c-002')).toMatchObject({ raised: 1 });
      sys.clock.set('2027-01-13T00:30:00Z');
      // …and c-002 came on Tuesday the 12th.
      await setAttendance(sys, b[4]!, 'present');
      return {};
    },
    runAt: '2027-01-13T10:30:00Z',
    run: (sys) =>
      job('sweep-engagement', sys.deps, { programId: PROGRAM, scheduledTime: '2027-01-13T10:30:00Z' }),
    expectClean(state, expect) {
      expect(events(state, 'flag.raised')).toEqual([
        expect.stringMatching(/"clientId":"c-001".*"rule":"attendance-gap"/),
      ]);
      expect(events(state, 'flag.resolved')).toEqual([
        expect.stringMatching(/"clientId":"c-002".*"reason":"re-engaged"/),
      ]);
      expect(alerts(state, 'disengagement')).toEqual([expect.stringContaining('client c-001')]);
      expect(alerts(state, 'all-clear')).toEqual([expect.stringContaining('client c-002')]);
      expect(jobs(state, 'esc-')).toHaveLength(1);
    },
  },
  {
    name: 'recordScreenResult positive (critical alert)',
    program: screensPolicy,
    clients: fourEveningClients,
    weeks: ['2027-W01'],
    async seed(sys) {
      sys.clock.set(DRAW_AT);
      const { draw } = await drawScreensForDay(sys.deps, PROGRAM, '2027-01-04');
      return { clientId: draw!.selections[0]!.clientId };
    },
    runAt: '2027-01-04T16:00:00Z',
    run: (sys, s) =>
      recordScreenResult(sys.deps, {
        programId: PROGRAM,
        clientId: s.clientId as string,
        date: '2027-01-04',
        result: 'positive',
        by: 'dr-lee',
      }),
    expectClean(state, expect) {
      expect(state.outbox).toEqual([
        expect.stringMatching(/"reason":"screen-positive".*"severity":"critical"/),
      ]);
      expect(events(state, 'screen.result')).toEqual([expect.stringContaining('"result":"positive"')]);
    },
  },
  {
    name: 'optOut',
    clients: [{}],
    weeks: ['2027-W01'],
    runAt: '2027-01-03T12:00:00Z',
    run: (sys) => optOut(sys.deps, PROGRAM, 'c-001'),
    expectClean(state, expect) {
      expect(jobs(state, 'rem-')).toEqual([]);
      expect(jobs(state, 'att-')).toHaveLength(3);
      expect(
        state.items.filter((i) => i.includes('"entity":"client"') && i.includes('"smsOptedOut":true')),
      ).toHaveLength(1);
    },
  },
  {
    name: 'optIn',
    clients: [{}],
    weeks: ['2027-W01'],
    async seed(sys) {
      await optOut(sys.deps, PROGRAM, 'c-001');
      return {};
    },
    runAt: '2027-01-03T15:00:00Z', // Sunday 10:00 in New York: outside quiet hours
    run: (sys) => optIn(sys.deps, PROGRAM, 'c-001'),
    expectClean(state, expect) {
      expect(sms(state, 'you will receive appointment messages again')).toHaveLength(1);
      expect(jobs(state, 'rem-')).toHaveLength(6);
    },
  },
  {
    name: 'endEnrolment',
    clients: [{}],
    weeks: ['2027-W01'],
    runAt: '2027-01-03T12:00:00Z',
    run: (sys) => endEnrolment(sys.deps, PROGRAM, 'c-001'),
    expectClean(state, expect) {
      expect(state.pending).toEqual([]);
      expect(events(state, 'session.cancelled')).toHaveLength(3);
      expect(events(state, 'sms.suppressed')).toHaveLength(6);
      expect(
        state.items.filter((i) => i.includes('"entity":"client"') && i.includes('"status":"discharged"')),
      ).toHaveLength(1);
    },
  },
];

/** What a scenario starts from: the table's items and the scheduler's pending jobs after the seed. */
interface Template {
  items: Record<string, unknown>[];
  pending: OneTimeJob[];
  seeded: Seeded;
}

async function makeTemplate(scenario: Scenario): Promise<Template> {
  const { doc, tableName } = await freshTable();
  // One job's calls, SMS delivered inside the job (the drainer's delivery step); the queue path
  // has its own refusal-at-every-step test (tests/integration/sms-queue-faults.test.ts).
  const sys = localDeps(doc, tableName, SEED_AT, { paced: false });
  sys.deps.random = fixedRandom;
  await sys.deps.programs.putProgram(
    aProgram({ individual: { perWeek: 0, minutes: 60 }, ...scenario.program }),
  );
  await sys.deps.programs.putClinician(PROGRAM, aClinician());
  for (const overrides of scenario.clients) await sys.deps.clients.createClient(PROGRAM, aClient(overrides));
  for (const week of scenario.weeks) await generateWeek(sys.deps, { programId: PROGRAM, week });
  const seeded = (await scenario.seed?.(sys)) ?? {};
  // The seed's provider message ids (`local-000001`…) would collide with the run's own: renamed.
  const seedIds = new Set(sys.notifier.outbox.map((m) => m.messageId));
  const items = (await scanAll(doc, tableName)).map((item) =>
    typeof item.messageId === 'string' && seedIds.has(item.messageId)
      ? {
          ...item,
          messageId: `seed-${item.messageId}`,
          ...(item.gsi2pk === `MESSAGE#${item.messageId}`
            ? { gsi2pk: `MESSAGE#seed-${item.messageId}` }
            : {}),
        }
      : item,
  );
  const template = { items, pending: sys.scheduler.pending(), seeded };
  doc.destroy();
  return template;
}

/** A fresh table holding the template, and a system on it at the run's instant, its ports recorded. */
async function startFrom(template: Template, scenario: Scenario) {
  const { doc, tableName } = await freshTable();
  await new DynamoTable(doc, tableName).batchPut(template.items);
  const sys = localDeps(doc, tableName, scenario.runAt, { paced: false });
  sys.deps.random = fixedRandom;
  for (const pending of template.pending) await sys.scheduler.scheduleOnce(pending);
  const calls = new PortCalls();
  instrumentPorts(sys.deps, doc, calls);
  return { sys, doc, tableName, calls };
}

async function finish(sys: LocalSystem, doc: DynamoDBDocumentClient, tableName: string) {
  const state = await endState(sys, doc, tableName);
  doc.destroy();
  return state;
}

/** The calls to refuse: all of them, or for a label past MAX_OCCURRENCES its first few and its last. */
function callsToRefuse(calls: RecordedCall[]): RecordedCall[] {
  const totals = new Map<string, number>();
  for (const c of calls) totals.set(c.label, (totals.get(c.label) ?? 0) + 1);
  return calls.filter((c) => {
    const total = totals.get(c.label)!;
    return total <= MAX_OCCURRENCES || c.occurrence < MAX_OCCURRENCES || c.occurrence === total;
  });
}

/** What differs between two lists, as multisets: so a failure shows only the items that differ. */
function difference(actual: readonly string[], expected: readonly string[]) {
  const left = [...expected];
  const extra: string[] = [];
  for (const value of actual) {
    const i = left.indexOf(value);
    if (i >= 0) left.splice(i, 1);
    else extra.push(value);
  }
  return { missing: left, extra };
}

/** Soft: every part that differs is reported, not only the first. */
function expectSameEnd(expect: ExpectStatic, actual: EndState, clean: EndState, note = '') {
  const none = { missing: [], extra: [] };
  expect.soft(duplicates(actual.outbox), `a message went out twice${note}`).toEqual([]);
  expect.soft(duplicates(actual.events), `an event was recorded twice${note}`).toEqual([]);
  expect.soft(difference(actual.outbox, clean.outbox), `messages${note}`).toEqual(none);
  expect.soft(difference(actual.items, clean.items), `table items${note}`).toEqual(none);
  expect.soft(difference(actual.pending, clean.pending), `pending jobs${note}`).toEqual(none);
  expect.soft(difference(actual.events, clean.events), `activity events${note}`).toEqual(none);
}

// Seeding and the clean runs happen at collection, so that each refused call is a test of its own.
const prepared = await Promise.all(
  scenarios.map(async (scenario) => {
    const template = await makeTemplate(scenario);
    const { sys, doc, tableName, calls } = await startFrom(template, scenario);
    await calls.during(() => scenario.run(sys, template.seeded));
    const clean = await finish(sys, doc, tableName);
    return { scenario, template, calls: calls.calls, clean };
  }),
);

describe('every job survives one refused call at any step (invariant 10)', () => {
  for (const { scenario, template, calls, clean } of prepared) {
    describe.concurrent(scenario.name, () => {
      it(`${scenario.name}: the clean run does what it is for (${calls.length} calls)`, ({ expect }) => {
        expect(duplicates(clean.outbox)).toEqual([]);
        expect(duplicates(clean.events)).toEqual([]);
        scenario.expectClean(clean, expect);
      });

      it(`${scenario.name}: running it twice ends as running it once`, async ({ expect }) => {
        const { sys, doc, tableName } = await startFrom(template, scenario);
        await scenario.run(sys, template.seeded);
        await scenario.run(sys, template.seeded);
        expectSameEnd(expect, await finish(sys, doc, tableName), clean);
      });

      for (const call of callsToRefuse(calls)) {
        it(`${scenario.name}: refusing call ${call.index} (${call.label} #${call.occurrence}) once`, async ({
          expect,
        }) => {
          const { sys, doc, tableName, calls: faulty } = await startFrom(template, scenario);
          faulty.refuseOnce({ label: call.label, occurrence: call.occurrence });
          const first = await faulty
            .during(() => scenario.run(sys, template.seeded))
            .then(
              () => undefined,
              (error: unknown) => error,
            );
          expect(faulty.refused, 'the planned call was made and refused').toHaveLength(1);
          // A refused call either fails the run, which is then retried, or is absorbed by the run
          // itself (a refused ledger confirmation is tried again at once); either way the end
          // state after a retry must be the clean one.
          if (first !== undefined) expect(first, 'a failed run throws an Error').toBeInstanceOf(Error);
          await scenario.run(sys, template.seeded);
          const note = faulty.afterEnd.length
            ? ` (calls the failed run still had to make when it threw: ${faulty.afterEnd.join(', ')})`
            : '';
          expectSameEnd(expect, await finish(sys, doc, tableName), clean, note);
        });
      }
    });
  }
});
