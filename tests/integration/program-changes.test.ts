import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { programSchema } from '../../functions/domain/program.schema.ts';
import type { Session } from '../../functions/domain/session.schema.ts';
import { jobsForSession } from '../../functions/domain/session-jobs.ts';
import { localToUtc } from '../../functions/domain/zoned-time.ts';
import { makeApiHandler } from '../../functions/handlers/api.handler.ts';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { jobRegistry } from '../../functions/jobs/registry.ts';
import { VirtualClock } from '../../local/adapters/virtual-clock.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';

const NOW = '2027-01-04T15:00:00Z'; // Monday 10:00 in New York
const at = (date: string, time: string) => localToUtc(date, time, 'America/New_York');

const evening = { days: ['MON', 'TUE', 'THU'], start: '18:00', minutes: 180, topic: 'skills' };
const morning = { days: ['MON', 'WED', 'FRI'], start: '09:00', minutes: 180, topic: 'process' };
const sunrise = {
  id: 'sunrise',
  name: 'Sunrise',
  timezone: 'America/New_York',
  tracks: [
    { id: 'evening', groups: [evening] },
    { id: 'morning', groups: [morning] },
  ],
  reminders: { offsetsMinutes: [1440, 120] },
};
const client = (id: string, track: string, phone: string) => ({
  id,
  phone,
  track,
  start: '2027-01-04',
  smsConsent: true,
});

function event(method: string, path: string, body?: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      http: { method, path },
      authorizer: { jwt: { claims: { sub: 'admin-1', 'cognito:groups': '[admin]' } } },
    },
  } as unknown as APIGatewayProxyEventV2;
}

describe('changing a program re-plans the coming sessions (DynamoDB Local, in-process scheduler)', () => {
  let ctx: ReturnType<typeof localDeps>;
  let call: (e: APIGatewayProxyEventV2) => Promise<{ status: number; body: Record<string, unknown> }>;

  const sessionsOf = async (clientId: string) =>
    (await ctx.deps.sessions.listSessionsByClient('sunrise', clientId)).sort((a, b) =>
      a.start < b.start ? -1 : 1,
    );
  const pendingNames = () => ctx.scheduler.pending().map((j) => j.name);
  /** The one-time jobs a session should have under the program as stored, from now on. */
  const expectedJobs = async (session: Session) => {
    const program = (await ctx.deps.programs.getProgram('sunrise'))!;
    const owner = await ctx.deps.clients.getClient('sunrise', session.clientId);
    return jobsForSession(program, session, owner, ctx.clock.now()).map((j) => [j.name, j.at]);
  };
  const heldJobs = (session: Session) =>
    ctx.scheduler
      .pending()
      .filter((j) => j.name.includes(session.sessionId))
      .map((j) => [j.name, j.at]);

  beforeAll(async () => {
    const { doc, tableName } = await freshTable();
    ctx = localDeps(doc, tableName, NOW);
    const handler = makeApiHandler(() => ctx.deps);
    call = async (e) => {
      const r = (await handler(e, {} as Context)) as APIGatewayProxyStructuredResultV2;
      return { status: r.statusCode!, body: JSON.parse(r.body ?? '{}') };
    };
    expect((await call(event('POST', '/programs', sunrise))).status).toBe(201);
    for (const c of [client('c-001', 'evening', '+12025550101'), client('c-002', 'morning', '+12025550102')])
      expect((await call(event('POST', '/programs/sunrise/clients', c))).status).toBe(201);
  });

  it('refuses to remove a track active clients are on with a 409 listing them, and writes nothing', async () => {
    const before = {
      program: await ctx.deps.programs.getProgram('sunrise'),
      sessions: [...(await sessionsOf('c-001')), ...(await sessionsOf('c-002'))],
      jobs: pendingNames(),
      recurring: ctx.scheduler.recurringJobs(),
      events: ctx.activity.events.length,
    };
    const r = await call(
      event('PUT', '/programs/sunrise', {
        ...sunrise,
        tracks: [{ id: 'evening', groups: [evening] }],
        reminders: { offsetsMinutes: [2880] },
      }),
    );
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/^tracks: morning has active clients c-002: move them /);
    expect({
      program: await ctx.deps.programs.getProgram('sunrise'),
      sessions: [...(await sessionsOf('c-001')), ...(await sessionsOf('c-002'))],
      jobs: pendingNames(),
      recurring: ctx.scheduler.recurringJobs(),
      events: ctx.activity.events.length,
    }).toEqual(before);
  });

  it('moves the weekly generation and re-plans the coming reminders at the new offsets', async () => {
    const r = await call(
      event('PUT', '/programs/sunrise', { ...sunrise, reminders: { offsetsMinutes: [2880, 120] } }),
    );
    expect(r.status).toBe(200);
    // 2 days (2880 minutes) + the hour's margin before Monday 00:00: Friday 00:05
    expect(ctx.scheduler.recurringJob('week-sunrise')).toMatchObject({ cron: '5 0 ? * FRI *' });
    const coming = [...(await sessionsOf('c-001')), ...(await sessionsOf('c-002'))].filter(
      (s) => s.start > NOW,
    );
    // evening Mon, Tue, Thu at 18:00; morning Wed and Fri at 09:00 (Monday's started before now)
    expect(coming.map((s) => s.start).sort()).toEqual(
      [
        at('2027-01-04', '18:00'),
        at('2027-01-05', '18:00'),
        at('2027-01-07', '18:00'),
        at('2027-01-06', '09:00'),
        at('2027-01-08', '09:00'),
      ].sort(),
    );
    for (const session of coming) expect(heldJobs(session)).toEqual(await expectedJobs(session));
    // Thursday's 48-hour reminder (Tuesday 18:00) is ahead, so it is scheduled; 24 hours before is gone
    const thursday = coming.find((s) => s.start === at('2027-01-07', '18:00'))!;
    expect(pendingNames()).toContain(`rem-${thursday.sessionId}-2880`);
    expect(pendingNames().filter((n) => n.endsWith('-1440'))).toEqual([]);
  });

  it('sends nothing when a reminder job at an offset the program dropped fires anyway', async () => {
    const thursday = (await sessionsOf('c-001')).find((s) => s.start === at('2027-01-07', '18:00'))!;
    const dueAt = at('2027-01-06', '18:00');
    const deps = { ...ctx.deps, clock: new VirtualClock(dueAt) };
    const result = await runJob(jobRegistry['send-reminder']!, deps, {
      programId: 'sunrise',
      sessionId: thursday.sessionId,
      purpose: 'reminder',
      offsetMinutes: 1440,
      start: thursday.start,
      scheduledTime: dueAt,
    });
    expect(result).toMatchObject({ skipped: 'not due: the program no longer reminds at this offset' });
    expect(ctx.notifier.outbox).toEqual([]);
  });

  it('moves a group to its new time, cancels a dropped day and creates an added one, each with its jobs and events', async () => {
    const before = await sessionsOf('c-001');
    const eventsBefore = ctx.activity.events.length;
    const changed = {
      ...sunrise,
      tracks: [
        { id: 'evening', groups: [{ ...evening, days: ['MON', 'THU', 'FRI'], start: '17:30' }] },
        { id: 'morning', groups: [morning] },
      ],
      reminders: { offsetsMinutes: [2880, 120] },
    };
    expect((await call(event('PUT', '/programs/sunrise', changed))).status).toBe(200);
    const after = await sessionsOf('c-001');
    const byId = new Map(after.map((s) => [s.sessionId, s]));
    const [monday, tuesday, thursday] = before;
    // same ids (client, date, track, group): moved, not replaced
    expect(byId.get(monday!.sessionId)).toMatchObject({
      start: at('2027-01-04', '17:30'),
      status: 'scheduled',
    });
    expect(byId.get(thursday!.sessionId)).toMatchObject({ start: at('2027-01-07', '17:30'), version: 2 });
    expect(byId.get(tuesday!.sessionId)).toMatchObject({ start: tuesday!.start, status: 'cancelled' });
    const friday = after.find((s) => s.date === '2027-01-08')!;
    expect(friday).toMatchObject({ start: at('2027-01-08', '17:30'), status: 'scheduled', topic: 'skills' });
    for (const session of after) expect(heldJobs(session)).toEqual(await expectedJobs(session));
    expect(heldJobs(byId.get(tuesday!.sessionId)!)).toEqual([]);
    expect(heldJobs(friday).map(([name]) => name)).toContain(`rem-${friday.sessionId}-2880`);

    const events = ctx.activity.events.slice(eventsBefore).map(({ at: _, ...e }) => e);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'session.rescheduled', sessionId: monday!.sessionId }),
        expect.objectContaining({ type: 'session.rescheduled', sessionId: thursday!.sessionId }),
        { type: 'session.cancelled', sessionId: tuesday!.sessionId, clientId: 'c-001' },
        expect.objectContaining({ type: 'session.scheduled', sessionId: friday.sessionId }),
      ]),
    );
    // the cancelled session's reminders still ahead are recorded as suppressed, once each
    expect(events.filter((e) => e.type === 'sms.suppressed' && e.sessionId === tuesday!.sessionId)).toEqual([
      expect.objectContaining({ offsetMinutes: 120, reason: 'cancelled' }),
    ]);
  });

  it('changes nothing on a repeated PUT of the same program, and re-ensures its schedules', async () => {
    const stored = programSchema.parse((await call(event('GET', '/programs/sunrise'))).body);
    const sessions = [...(await sessionsOf('c-001')), ...(await sessionsOf('c-002'))];
    const jobs = ctx.scheduler.pending();
    const eventsBefore = ctx.activity.events.length;
    expect((await call(event('PUT', '/programs/sunrise', stored))).status).toBe(200);
    expect([...(await sessionsOf('c-001')), ...(await sessionsOf('c-002'))]).toEqual(sessions);
    expect(ctx.scheduler.pending()).toEqual(jobs);
    expect(ctx.activity.events.length).toBe(eventsBefore);
  });

  it('refuses to delete a program with active clients (409, schedules kept), and deletes it and its schedules once they left', async () => {
    const refused = await call(event('DELETE', '/programs/sunrise'));
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/active clients c-001, c-002/);
    expect(ctx.scheduler.recurringJob('week-sunrise')).toBeDefined();
    for (const id of ['c-001', 'c-002'])
      expect((await call(event('POST', `/programs/sunrise/clients/${id}/discharge`))).status).toBe(200);
    expect((await call(event('DELETE', '/programs/sunrise'))).status).toBe(200);
    expect(ctx.scheduler.recurringJobs()).toEqual([]);
    expect((await call(event('GET', '/programs/sunrise'))).status).toBe(404);
  });
});
