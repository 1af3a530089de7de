import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import type { Session } from '../../functions/domain/session.schema.ts';
import { makeApiHandler } from '../../functions/handlers/api.handler.ts';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { jobRegistry } from '../../functions/jobs/registry.ts';
import { checkAttendance, recordAttendance } from '../../functions/use-cases/attendance.ts';
import { endEnrolment, optOut } from '../../functions/use-cases/client-lifecycle.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';
import { acknowledgeFlag, evaluateClientEngagement, resolveFlag } from '../../functions/use-cases/flags.ts';
import {
  checkScreenDeadline,
  drawScreensForDay,
  recordScreenResult,
} from '../../functions/use-cases/screens.ts';
import type { LocalSystem } from '../../local/adapters/local-deps.ts';
import { VirtualClock } from '../../local/adapters/virtual-clock.ts';
import { drainSms, localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';
import { fixedRandom } from '../support/faults.ts';
import { PROGRAM, seedWorld, sessionsOf, type WorldOptions } from '../support/world.ts';

/**
 * Invariant 11: two writers at once on DynamoDB Local (`Promise.all`), each race with its
 * documented winner (docs/architecture.md, "Faults and races"). Each writer is its own "process":
 * the same table, notifier and scheduler, its own clock. Interleavings vary from run to run, so
 * each race runs ITERATIONS times on a fresh table; where one interleaving matters most it is also
 * forced (a read held until the other writer has written), so that it is tested on every run.
 *
 * Check-in vs the attendance job, as documented: a check-in under way before the check (it has
 * read the session) wins, nothing is sent; when the two start at once, the first write decides: a
 * check-in after the absence was written is a late arrival (present, the miss announced once).
 */

const ITERATIONS = 5;
const SEED_AT = '2027-01-01T12:00:00Z';
/** Evening sessions (New York, 18:00 = 23:00Z) of the first week: Mon 4, Tue 5, Thu 7. */
const TUE_START = '2027-01-05T23:00:00Z';

interface World {
  sys: LocalSystem;
  doc: DynamoDBDocumentClient;
  tableName: string;
}

async function world(options: WorldOptions = {}): Promise<World> {
  const { doc, tableName } = await freshTable();
  const sys = localDeps(doc, tableName, SEED_AT);
  await seedWorld(sys, options);
  return { sys, doc, tableName };
}

/** Another writer on the same table, notifier and scheduler, with its own clock. */
const writer = (sys: LocalSystem, at: string): Deps => ({ ...sys.deps, clock: new VirtualClock(at) });

async function setAttendance(sys: LocalSystem, sessionId: string, attendance: 'present' | 'absent') {
  const current = (await sys.deps.sessions.getSession(PROGRAM, sessionId))!;
  const next: Session = {
    ...current,
    attendance,
    ...(attendance === 'absent' ? { missedAt: sys.deps.clock.now() } : {}),
    version: current.version + 1,
  };
  expect(await sys.deps.sessions.replaceSession(next, current.version)).toBe(true);
}

const alertsOf = (sys: LocalSystem, reason: string) =>
  sys.notifier.outbox.filter((m) => m.channel === 'care-team' && m.reason === reason);
const smsOf = (sys: LocalSystem, text: string) =>
  sys.notifier.outbox.filter((m) => m.channel === 'sms' && String(m.body).includes(text));

/** A promise and its resolver, to hold one writer until the other got somewhere. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const iterations = Array.from({ length: ITERATIONS }, (_, i) => i + 1);

describe('check-in vs the attendance job (start + grace)', () => {
  it.each(iterations)(
    'a check-in at start + 19 racing the job at start + 20: present, no missed alert or note (run %i)',
    async (run) => {
      const { sys } = await world();
      const tuesday = (await sessionsOf(sys))[1]!;
      const checkIn = writer(sys, '2027-01-05T23:19:00Z');
      const job = writer(sys, '2027-01-05T23:20:00Z');
      // The check-in is under way (it has read the session) when the job starts; where the job's
      // reads fall relative to the check-in's write varies from run to run.
      const checkInRead = gate();
      const sessions = checkIn.sessions;
      checkIn.sessions = Object.assign(Object.create(sessions), {
        getSession: async (programId: string, sessionId: string) => {
          const session = await sessions.getSession(programId, sessionId);
          checkInRead.open();
          return session;
        },
      });
      await Promise.all([
        recordAttendance(checkIn, { programId: PROGRAM, sessionId: tuesday.sessionId, status: 'present' }),
        (async () => {
          await checkInRead.opened;
          for (let i = 1; i < run; i++) await new Promise((r) => setImmediate(r));
          await checkAttendance(job, { programId: PROGRAM, sessionId: tuesday.sessionId, start: TUE_START });
        })(),
      ]);
      expect((await sys.deps.sessions.getSession(PROGRAM, tuesday.sessionId))!.attendance).toBe('present');
      expect(alertsOf(sys, 'missed-session')).toEqual([]);
      expect(smsOf(sys, 'we missed you')).toEqual([]);
      expect(sys.activity.ofType('session.missed')).toEqual([]);
    },
  );

  it.each(iterations)(
    'check-in and job started together: present; a miss is announced at most once, and only if the absence was written first (run %i)',
    async () => {
      const { sys } = await world();
      const tuesday = (await sessionsOf(sys))[1]!;
      await Promise.all([
        checkAttendance(writer(sys, '2027-01-05T23:20:00Z'), {
          programId: PROGRAM,
          sessionId: tuesday.sessionId,
          start: TUE_START,
        }),
        recordAttendance(writer(sys, '2027-01-05T23:19:00Z'), {
          programId: PROGRAM,
          sessionId: tuesday.sessionId,
          status: 'present',
        }),
      ]);
      const stored = (await sys.deps.sessions.getSession(PROGRAM, tuesday.sessionId))!;
      expect(stored.attendance).toBe('present');
      const announced = sys.activity.ofType('session.missed').length;
      expect(announced).toBe(stored.missedAt ? 1 : 0);
      expect(alertsOf(sys, 'missed-session')).toHaveLength(announced);
      expect(smsOf(sys, 'we missed you').length).toBeLessThanOrEqual(announced);
    },
  );

  it('forced: the job read the session before the check-in wrote it; the check-in still wins', async () => {
    const { sys } = await world();
    const tuesday = (await sessionsOf(sys))[1]!;
    const checkIn = writer(sys, '2027-01-05T23:19:00Z');
    const job = writer(sys, '2027-01-05T23:20:00Z');
    const jobRead = gate();
    const checkedIn = gate();
    const sessions = job.sessions;
    job.sessions = Object.assign(Object.create(sessions), {
      getSession: async (programId: string, sessionId: string) => {
        const session = await sessions.getSession(programId, sessionId);
        jobRead.open();
        await checkedIn.opened;
        return session;
      },
    });
    await Promise.all([
      checkAttendance(job, { programId: PROGRAM, sessionId: tuesday.sessionId, start: TUE_START }),
      (async () => {
        await jobRead.opened;
        await recordAttendance(checkIn, {
          programId: PROGRAM,
          sessionId: tuesday.sessionId,
          status: 'present',
        });
        checkedIn.open();
      })(),
    ]);
    expect((await sys.deps.sessions.getSession(PROGRAM, tuesday.sessionId))!).toMatchObject({
      attendance: 'present',
    });
    expect(alertsOf(sys, 'missed-session')).toEqual([]);
    expect(smsOf(sys, 'we missed you')).toEqual([]);
  });

  it.each(iterations)(
    'the job wrote the absence, then a late check-in: present (late arrival), exactly one missed alert, none on a duplicate run (run %i)',
    async (run) => {
      const { sys } = await world();
      const tuesday = (await sessionsOf(sys))[1]!;
      const job = writer(sys, '2027-01-05T23:20:00Z');
      const late = writer(sys, `2027-01-05T23:2${run}:00Z`);
      const absenceWritten = gate();
      const sessions = job.sessions;
      job.sessions = Object.assign(Object.create(sessions), {
        replaceSession: async (session: Session, expected: number) => {
          const written = await sessions.replaceSession(session, expected);
          absenceWritten.open();
          return written;
        },
      });
      await Promise.all([
        checkAttendance(job, { programId: PROGRAM, sessionId: tuesday.sessionId, start: TUE_START }),
        (async () => {
          await absenceWritten.opened;
          await recordAttendance(late, {
            programId: PROGRAM,
            sessionId: tuesday.sessionId,
            status: 'present',
          });
        })(),
      ]);
      // The schedule delivered twice (at least once), and the client's check-in sent twice.
      await checkAttendance(job, { programId: PROGRAM, sessionId: tuesday.sessionId, start: TUE_START });
      await recordAttendance(late, { programId: PROGRAM, sessionId: tuesday.sessionId, status: 'present' });
      const stored = (await sys.deps.sessions.getSession(PROGRAM, tuesday.sessionId))!;
      expect(stored.attendance).toBe('present');
      expect(stored.missedAt).toBe('2027-01-05T23:20:00Z');
      expect(alertsOf(sys, 'missed-session')).toHaveLength(1);
      expect(smsOf(sys, 'we missed you').length).toBeLessThanOrEqual(1);
      expect(sys.activity.ofType('session.missed')).toHaveLength(1);
    },
  );
});

describe('acknowledge vs resolve, and concurrent acknowledges', () => {
  /** c-001 missed Monday and Tuesday: a consecutive-misses flag is open; on Thursday they came. */
  async function flagged() {
    const w = await world({
      weeks: ['2027-W01', '2027-W02'],
      program: { disengagement: { minSessionsForRate: 50 } },
    });
    const [mon, tue, thu] = await sessionsOf(w.sys);
    w.sys.clock.set('2027-01-05T23:20:00Z');
    await setAttendance(w.sys, mon!.sessionId, 'absent');
    await setAttendance(w.sys, tue!.sessionId, 'absent');
    await evaluateClientEngagement(w.sys.deps, PROGRAM, 'c-001');
    const [flag] = await w.sys.deps.flags.listOpenFlags(PROGRAM);
    expect(flag).toMatchObject({ rule: 'consecutive-misses', status: 'open' });
    w.sys.clock.set('2027-01-07T23:30:00Z');
    await setAttendance(w.sys, thu!.sessionId, 'present');
    return { ...w, flag: flag! };
  }

  const slotOf = (w: World) =>
    w.sys.table.get(keys.flagSlot(PROGRAM, 'c-001', 'consecutive-misses').pk, 'SLOT');

  /** Two new misses the following week: the same rule raises again (its slot was freed). */
  async function raisesAgain(w: World) {
    const [, , , mon2, tue2] = await sessionsOf(w.sys);
    w.sys.clock.set('2027-01-12T23:20:00Z');
    await setAttendance(w.sys, mon2!.sessionId, 'absent');
    await setAttendance(w.sys, tue2!.sessionId, 'absent');
    expect(await evaluateClientEngagement(w.sys.deps, PROGRAM, 'c-001')).toMatchObject({ raised: 1 });
    expect(await w.sys.deps.flags.listOpenFlags(PROGRAM)).toEqual([
      expect.objectContaining({ rule: 'consecutive-misses', status: 'open' }),
    ]);
  }

  it('forced stale read: acknowledge read the flag, the re-engaged resolve landed, then the acknowledge: the flag stays resolved, no slot left', async () => {
    const w = await flagged();
    const staff = writer(w.sys, '2027-01-08T14:00:00Z');
    const resolver = writer(w.sys, '2027-01-08T14:00:00Z');
    const ackRead = gate();
    const resolved = gate();
    const flags = staff.flags;
    let reads = 0;
    staff.flags = Object.assign(Object.create(flags), {
      getFlag: async (programId: string, flagId: string) => {
        const flag = await flags.getFlag(programId, flagId);
        if (++reads === 1) {
          ackRead.open();
          await resolved.opened;
        }
        return flag;
      },
    });
    await Promise.all([
      acknowledgeFlag(staff, PROGRAM, w.flag.flagId, 'dr-lee'),
      (async () => {
        await ackRead.opened;
        expect(await evaluateClientEngagement(resolver, PROGRAM, 'c-001')).toMatchObject({ resolved: 1 });
        resolved.open();
      })(),
    ]);
    const stored = (await w.sys.deps.flags.getFlag(PROGRAM, w.flag.flagId))!;
    expect(stored).toMatchObject({ status: 'resolved', resolution: 're-engaged' });
    expect(stored.acknowledgedAt).toBeUndefined();
    expect(w.sys.activity.ofType('flag.acknowledged')).toEqual([]);
    expect(await slotOf(w)).toBeUndefined();
    expect(await w.sys.deps.flags.listOpenFlags(PROGRAM)).toEqual([]);
    await expect(evaluateClientEngagement(w.sys.deps, PROGRAM, 'c-001')).resolves.toBeDefined();
    await raisesAgain(w);
  });

  it.each(iterations)(
    'acknowledge racing the re-engaged resolve: resolved, no slot left, the next evaluation does not throw (run %i)',
    async () => {
      const w = await flagged();
      await Promise.all([
        acknowledgeFlag(writer(w.sys, '2027-01-08T14:00:00Z'), PROGRAM, w.flag.flagId, 'dr-lee'),
        evaluateClientEngagement(writer(w.sys, '2027-01-08T14:00:00Z'), PROGRAM, 'c-001'),
      ]);
      expect((await w.sys.deps.flags.getFlag(PROGRAM, w.flag.flagId))!.status).toBe('resolved');
      expect(w.sys.activity.ofType('flag.acknowledged').length).toBeLessThanOrEqual(1);
      expect(await slotOf(w)).toBeUndefined();
      await expect(evaluateClientEngagement(w.sys.deps, PROGRAM, 'c-001')).resolves.toBeDefined();
      await raisesAgain(w);
    },
  );

  it.each(iterations)(
    'concurrent acknowledges: one flag.acknowledged, one audit entry (run %i)',
    async () => {
      const w = await flagged();
      await Promise.all(
        ['dr-lee', 'dr-kim', 'dr-lee'].map((by, i) =>
          acknowledgeFlag(writer(w.sys, `2027-01-06T14:0${i}:00Z`), PROGRAM, w.flag.flagId, by),
        ),
      );
      expect(w.sys.activity.ofType('flag.acknowledged')).toHaveLength(1);
      const audit = await w.sys.deps.flags.listAudit(PROGRAM, w.flag.flagId);
      expect(audit.filter((a) => a.action === 'acknowledged')).toHaveLength(1);
      expect((await w.sys.deps.flags.getFlag(PROGRAM, w.flag.flagId))!).toMatchObject({ status: 'open' });
    },
  );

  it('forced stale read: a staff resolve read the flag open, the re-engaged resolve landed: resolved once, as re-engaged', async () => {
    const w = await flagged();
    const staff = writer(w.sys, '2027-01-08T14:00:00Z');
    const staffRead = gate();
    const resolved = gate();
    const flags = staff.flags;
    let reads = 0;
    staff.flags = Object.assign(Object.create(flags), {
      getFlag: async (programId: string, flagId: string) => {
        const flag = await flags.getFlag(programId, flagId);
        if (++reads === 1) {
          staffRead.open();
          await resolved.opened;
        }
        return flag;
      },
    });
    await Promise.all([
      resolveFlag(staff, PROGRAM, w.flag.flagId, 'dr-lee', 'spoke to the client'),
      (async () => {
        await staffRead.opened;
        await evaluateClientEngagement(writer(w.sys, '2027-01-08T14:00:00Z'), PROGRAM, 'c-001');
        resolved.open();
      })(),
    ]);
    expect((await w.sys.deps.flags.getFlag(PROGRAM, w.flag.flagId))!).toMatchObject({
      status: 'resolved',
      resolution: 're-engaged',
    });
    expect(w.sys.activity.ofType('flag.resolved')).toHaveLength(1);
    const audit = await w.sys.deps.flags.listAudit(PROGRAM, w.flag.flagId);
    expect(audit.filter((a) => a.action === 'resolved')).toHaveLength(1);
  });

  it.each(iterations)(
    'a staff resolve racing the re-engaged resolve: resolved, one audit entry, no slot left (run %i)',
    async () => {
      const w = await flagged();
      await Promise.all([
        resolveFlag(
          writer(w.sys, '2027-01-08T14:00:00Z'),
          PROGRAM,
          w.flag.flagId,
          'dr-lee',
          'spoke to the client',
        ),
        evaluateClientEngagement(writer(w.sys, '2027-01-08T14:00:00Z'), PROGRAM, 'c-001'),
      ]);
      expect((await w.sys.deps.flags.getFlag(PROGRAM, w.flag.flagId))!.status).toBe('resolved');
      // (The event count under a stale read is asserted by the forced test above.)
      const audit = await w.sys.deps.flags.listAudit(PROGRAM, w.flag.flagId);
      expect(audit.filter((a) => a.action === 'resolved')).toHaveLength(1);
      expect(await slotOf(w)).toBeUndefined();
    },
  );
});

describe('client changes vs discharge and opt-out', () => {
  function api(deps: Deps) {
    const handler = makeApiHandler(() => deps);
    return async (method: string, path: string, body?: unknown) => {
      const event = {
        version: '2.0',
        rawPath: path,
        rawQueryString: '',
        headers: {},
        body: body === undefined ? undefined : JSON.stringify(body),
        isBase64Encoded: false,
        requestContext: {
          http: { method, path },
          authorizer: {
            jwt: { claims: { sub: 'user-1', 'cognito:groups': '[admin]', 'custom:programs': '' } },
          },
        },
      } as unknown as APIGatewayProxyEventV2;
      const r = (await handler(event, {} as Context)) as APIGatewayProxyStructuredResultV2;
      return { status: r.statusCode!, body: JSON.parse(r.body ?? '{}') as Record<string, unknown> };
    };
  }

  // Sunday of the first week, after its Saturday generation run: a PATCH also generates week 2.
  const SUNDAY = '2027-01-10T15:00:00Z';

  it.each(iterations)('PATCH racing a discharge: discharged stays (run %i)', async () => {
    const { sys } = await world({ weeks: ['2027-W01'] });
    sys.clock.set(SUNDAY);
    const patch = api(writer(sys, SUNDAY));
    const [patched] = await Promise.all([
      patch('PATCH', `/programs/${PROGRAM}/clients/c-001`, { adolescent: true }),
      endEnrolment(writer(sys, SUNDAY), PROGRAM, 'c-001'),
    ]);
    expect(patched.status).toBe(200);
    expect(await sys.deps.clients.getClient(PROGRAM, 'c-001')).toMatchObject({
      status: 'discharged',
      adolescent: true,
    });
  });

  it("forced: a PATCH that read the client as active for next week's generation before the discharge leaves nothing scheduled for the discharged client", async () => {
    const { sys } = await world({ weeks: ['2027-W01'] });
    sys.clock.set(SUNDAY);
    const patchDeps = writer(sys, SUNDAY);
    const listed = gate();
    const discharged = gate();
    const clients = patchDeps.clients;
    let lists = 0;
    patchDeps.clients = Object.assign(Object.create(clients), {
      listClients: async (programId: string) => {
        const all = await clients.listClients(programId);
        // The second list is next week's generation (the first, this week's, has nothing left).
        if (++lists === 2) {
          listed.open();
          await discharged.opened;
        }
        return all;
      },
    });
    const [patched] = await Promise.all([
      api(patchDeps)('PATCH', `/programs/${PROGRAM}/clients/c-001`, { adolescent: true }),
      (async () => {
        await listed.opened;
        await endEnrolment(writer(sys, SUNDAY), PROGRAM, 'c-001');
        discharged.open();
      })(),
    ]);
    expect(patched.status).toBe(200);
    expect((await sys.deps.clients.getClient(PROGRAM, 'c-001'))!.status).toBe('discharged');
    const live = (await sys.deps.sessions.listSessionsByClient(PROGRAM, 'c-001', { from: SUNDAY })).filter(
      (s) => s.status !== 'cancelled',
    );
    expect
      .soft(
        live.map((s) => s.date),
        'sessions still on for a discharged client',
      )
      .toEqual([]);
    const ids = new Set((await sessionsOf(sys)).map((x) => x.sessionId));
    // (Jobs of past sessions stay in the in-process scheduler: nothing fired them in this test.)
    expect
      .soft(
        sys.scheduler
          .pending()
          .filter((j) => j.at > SUNDAY && ids.has(String(j.payload.sessionId)))
          .map((j) => j.name),
        'jobs still pending for a discharged client',
      )
      .toEqual([]);
    // What a leftover session leads to: its attendance check fires and finds no check-in.
    const monday = (await sessionsOf(sys)).find((x) => x.date === '2027-01-11');
    if (monday) {
      await checkAttendance(writer(sys, '2027-01-11T23:20:00Z'), {
        programId: PROGRAM,
        sessionId: monday.sessionId,
        start: monday.start,
      });
      expect(alertsOf(sys, 'missed-session'), 'a missed-session alert for a discharged client').toEqual([]);
    }
  });

  it.each(iterations)('PATCH racing an opt-out: smsOptedOut true stays (run %i)', async () => {
    const { sys } = await world();
    sys.clock.set('2027-01-03T15:00:00Z');
    const patch = api(writer(sys, '2027-01-03T15:00:00Z'));
    const [patched] = await Promise.all([
      patch('PATCH', `/programs/${PROGRAM}/clients/c-001`, { busy: [], adolescent: true }),
      optOut(writer(sys, '2027-01-03T15:00:00Z'), PROGRAM, 'c-001'),
    ]);
    expect(patched.status).toBe(200);
    expect(await sys.deps.clients.getClient(PROGRAM, 'c-001')).toMatchObject({
      smsOptedOut: true,
      adolescent: true,
      status: 'active',
    });
  });
});

describe('screens', () => {
  const screens = { drugScreens: { rate: 1, minPerWeek: 0, windowHours: 8 } };
  const DRAW_AT = '2027-01-04T14:00:00Z';
  const DEADLINE = '2027-01-04T22:00:00Z';

  it.each(iterations)(
    'the deadline no-show racing a staff positive: the staff result wins, the no-show kept in history if it landed first (run %i)',
    async () => {
      const { sys } = await world({ program: screens });
      sys.deps.random = fixedRandom;
      sys.clock.set(DRAW_AT);
      await drawScreensForDay(sys.deps, PROGRAM, '2027-01-04');
      sys.clock.set(DEADLINE);
      await Promise.all([
        checkScreenDeadline(writer(sys, DEADLINE), PROGRAM, 'c-001', '2027-01-04'),
        recordScreenResult(writer(sys, DEADLINE), {
          programId: PROGRAM,
          clientId: 'c-001',
          date: '2027-01-04',
          result: 'positive',
          by: 'dr-lee',
        }),
      ]);
      const screen = (await sys.deps.screening.getScreen(PROGRAM, 'c-001', '2027-01-04'))!;
      expect(screen).toMatchObject({ result: 'positive', recordedBy: 'dr-lee' });
      expect([[], [expect.objectContaining({ result: 'no-show', recordedBy: 'cadence' })]]).toContainEqual(
        screen.history,
      );
      const noShowFirst = screen.history.length === 1;
      expect(alertsOf(sys, 'screen-positive')).toHaveLength(1);
      expect(alertsOf(sys, 'screen-missed')).toHaveLength(noShowFirst ? 1 : 0);
      expect(sys.activity.ofType('screen.result').map((e) => e.result)).toEqual(
        noShowFirst ? ['no-show', 'positive'] : ['positive'],
      );
    },
  );

  it.each(iterations)(
    'two draw-screens runs for one date: one draw, one notice and one screen per selection (run %i)',
    async () => {
      const { sys, doc, tableName } = await world({
        program: { drugScreens: { rate: 0.5, minPerWeek: 0, windowHours: 8 } },
        clients: ['c-001', 'c-002', 'c-003', 'c-004', 'c-005', 'c-006'].map((id, i) => ({
          id,
          phone: `+1202555011${i}`,
        })),
      });
      sys.clock.set(DRAW_AT);
      const payload = { programId: PROGRAM, scheduledTime: DRAW_AT };
      await Promise.all([
        runJob(jobRegistry['draw-screens']!, writer(sys, DRAW_AT), payload),
        runJob(jobRegistry['draw-screens']!, writer(sys, '2027-01-04T14:00:01Z'), payload),
      ]);
      // The notices were queued (by either run, on its own clock); three drainers race to send them.
      sys.clock.set('2027-01-04T14:00:01Z');
      await drainSms(sys, 3);
      const draw = (await sys.deps.screening.getDraw(PROGRAM, '2027-01-04'))!;
      const selected = draw.selections.map((s) => s.clientId).sort();
      expect(selected).toHaveLength(3);
      expect(sys.activity.ofType('screen.draw')).toHaveLength(1);
      expect(
        sys.activity
          .ofType('screen.selected')
          .map((e) => e.clientId)
          .sort(),
      ).toEqual(selected);
      const notices = smsOf(sys, 'please stop by the front desk').map((m) => String(m.to));
      expect(notices).toHaveLength(3);
      expect(new Set(notices).size).toBe(3);
      const stored = await Promise.all(
        ['c-001', 'c-002', 'c-003', 'c-004', 'c-005', 'c-006'].map((c) =>
          sys.deps.screening.getScreen(PROGRAM, c, '2027-01-04'),
        ),
      );
      expect(
        stored
          .filter(Boolean)
          .map((s) => s!.clientId)
          .sort(),
      ).toEqual(selected);
      const screenJobs = sys.scheduler.pending().filter((j) => j.target === 'check-screen');
      expect(screenJobs.filter((j) => j.payload.phase === 'deadline')).toHaveLength(3);
      // The runs' clocks differ by a second: the run whose clock is behind the stored draw's instant
      // schedules the notices for that instant (found sent by then); none is in the past.
      expect(screenJobs.every((j) => j.at >= DRAW_AT)).toBe(true);
      // No draw header but the winner's; a loser's chunks are deleted (or never read).
      const { Items = [] } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.draw(PROGRAM, '2027-01-04').pk },
          ConsistentRead: true,
        }),
      );
      expect(Items.filter((i) => i.sk === 'DRAW')).toHaveLength(1);
    },
  );
});

describe('engagement and sends', () => {
  it.each(iterations)(
    'two evaluations of one client at once: one flag per rule, one alert, one escalation job (run %i)',
    async () => {
      const { sys } = await world();
      const [mon, tue] = await sessionsOf(sys);
      sys.clock.set('2027-01-05T23:20:00Z');
      await setAttendance(sys, mon!.sessionId, 'absent');
      await setAttendance(sys, tue!.sessionId, 'absent');
      await Promise.all([
        evaluateClientEngagement(writer(sys, '2027-01-05T23:20:00Z'), PROGRAM, 'c-001'),
        evaluateClientEngagement(writer(sys, '2027-01-05T23:20:01Z'), PROGRAM, 'c-001'),
      ]);
      const flags = await sys.deps.flags.listFlagsByClient(PROGRAM, 'c-001');
      expect(flags.map((f) => `${f.rule}:${f.status}`)).toEqual(['consecutive-misses:open']);
      expect(sys.activity.ofType('flag.raised')).toHaveLength(1);
      expect(alertsOf(sys, 'disengagement')).toHaveLength(1);
      expect(sys.scheduler.pending().filter((j) => j.target === 'escalate-flag')).toHaveLength(1);
      expect(flags[0]).toMatchObject({
        alertedAt: expect.any(String),
        escalationScheduledAt: expect.any(String),
      });
    },
  );

  it.each(iterations)('50 concurrent sends of one reminder: one SMS (run %i)', async () => {
    const { sys } = await world();
    const monday = (await sessionsOf(sys))[0]!;
    const reminder = sys.scheduler.pending().find((j) => j.name === `rem-${monday.sessionId}-1440`)!;
    sys.clock.set(reminder.at);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        runJob(jobRegistry['send-reminder']!, writer(sys, reminder.at), {
          ...reminder.payload,
          scheduledTime: reminder.at,
        }),
      ),
    );
    // Every run queued the one message (it is queued once); three drainers race to send it.
    expect(results.every((r) => (r as { reason?: string }).reason === 'queued')).toBe(true);
    await drainSms(sys, 3);
    expect(sys.notifier.outbox).toHaveLength(1);
    expect(sys.activity.ofType('sms.sent')).toHaveLength(1);
  });
});
