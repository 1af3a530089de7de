import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeApiHandler } from '../../functions/handlers/api.handler.ts';
import { clientBody, programBody } from '../support/api-bodies.ts';
import { admin, apiEvent, type Caller, clinicianOf } from '../support/api-events.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';

/** The positional form these tests were written with. */
const event = (
  method: string,
  path: string,
  body?: unknown,
  caller: Caller = admin,
  query?: Record<string, string>,
) => apiEvent(method, path, { body, caller, ...(query ? { query } : {}) });

const program = programBody;
const client = clientBody;

describe('HTTP API', () => {
  let call: (e: APIGatewayProxyEventV2) => Promise<{ status: number; body: Record<string, unknown> }>;
  let ctx: ReturnType<typeof localDeps>;

  beforeAll(async () => {
    const { doc, tableName } = await freshTable();
    ctx = localDeps(doc, tableName, '2027-01-04T15:00:00Z'); // Monday 10:00 in New York
    const handler = makeApiHandler(() => ctx.deps);
    call = async (e) => {
      const r = (await handler(e, {} as Context)) as APIGatewayProxyStructuredResultV2;
      return { status: r.statusCode!, body: JSON.parse(r.body ?? '{}') };
    };
  });

  it('refuses an invalid program with a 400 naming each field, and writes nothing', async () => {
    const r = await call(
      event('POST', '/programs', { ...program, timezone: 'Mars/Olympus', name: 'Sober Living' }),
    );
    expect(r.status).toBe(400);
    const fields = (r.body.issues as { field: string }[]).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['body.timezone', 'body.name']));
    expect((await call(event('GET', '/programs/sunrise'))).status).toBe(404);
  });

  it('lets an admin create a program and a clinician, and refuses a clinician doing it', async () => {
    expect((await call(event('POST', '/programs', program, clinicianOf('sunrise')))).status).toBe(403);
    expect((await call(event('POST', '/programs', program))).status).toBe(201);
    // the same request again is a retry (201); another program under that id is a conflict
    expect((await call(event('POST', '/programs', program))).status).toBe(201);
    expect((await call(event('POST', '/programs', { ...program, name: 'Dawn' }))).status).toBe(409);
    const clinician = {
      id: 'dr-lee',
      availability: [{ days: ['TUE', 'THU'], start: '10:00', end: '16:00' }],
    };
    expect((await call(event('PUT', '/programs/sunrise/clinicians/dr-lee', clinician))).status).toBe(200);
  });

  it('enrols a client and schedules the rest of the week with its reminders', async () => {
    const r = await call(event('POST', '/programs/sunrise/clients', client, clinicianOf('sunrise')));
    expect(r.status).toBe(201);
    const sessions = await call(
      event('GET', '/programs/sunrise/sessions', undefined, admin, { week: '2027-W01' }),
    );
    const list = sessions.body.sessions as { sessionId: string; start: string }[];
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(ctx.scheduler.has(`att-${list[0]!.sessionId}`)).toBe(true);
  });

  it('refuses a bad phone number, naming body.phone, and writes nothing', async () => {
    const r = await call(
      event('POST', '/programs/sunrise/clients', { ...client, id: 'c-002', phone: '202-555-0102' }),
    );
    expect(r.status).toBe(400);
    expect(r.body.issues).toEqual([
      expect.objectContaining({ field: 'body.phone', message: expect.stringContaining('E.164') }),
    ]);
    expect((await call(event('GET', '/programs/sunrise/clients/c-002'))).status).toBe(404);
  });

  it('keeps a clinician of another program out of this one', async () => {
    expect(
      (await call(event('GET', '/programs/sunrise/clients/c-001', undefined, clinicianOf('harbor')))).status,
    ).toBe(403);
    expect(
      (await call(event('GET', '/programs/sunrise/clients/c-001', undefined, clinicianOf('harbor,sunrise'))))
        .status,
    ).toBe(200);
  });

  it('answers 401 without token claims', async () => {
    expect((await call(event('GET', '/programs/sunrise', undefined, null))).status).toBe(401);
  });

  it('changes a client track, and refuses a track the program lacks', async () => {
    expect((await call(event('PATCH', '/programs/sunrise/clients/c-001', { track: 'night' }))).status).toBe(
      400,
    );
    expect((await call(event('PATCH', '/programs/sunrise/clients/c-001', { phone: '+1' }))).status).toBe(400);
    const r = await call(event('PATCH', '/programs/sunrise/clients/c-001', { busy: [] }));
    expect(r.status).toBe(200);
  });

  it('records attendance, refusing an unknown status by name', async () => {
    const sessions = (await call(event('GET', '/programs/sunrise/clients/c-001/sessions'))).body.sessions as {
      sessionId: string;
    }[];
    const id = sessions[0]!.sessionId;
    const bad = await call(event('POST', `/programs/sunrise/sessions/${id}/attendance`, { status: 'late' }));
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([expect.objectContaining({ field: 'body.status' })]);
    // attendance opens 30 minutes before the start
    const clock = ctx.deps.clock;
    const start = (sessions[0] as unknown as { start: string }).start;
    ctx.deps.clock = { now: () => start };
    try {
      const ok = await call(
        event('POST', `/programs/sunrise/sessions/${id}/attendance`, { status: 'excused' }),
      );
      expect(ok.body).toMatchObject({ attendance: 'excused' });
    } finally {
      ctx.deps.clock = clock;
    }
  });

  it('cancels a session: its schedules are gone and the cancellation is recorded', async () => {
    const sessions = (await call(event('GET', '/programs/sunrise/clients/c-001/sessions'))).body.sessions as {
      sessionId: string;
    }[];
    const id = sessions.at(-1)!.sessionId;
    expect(ctx.scheduler.has(`att-${id}`)).toBe(true);
    const r = await call(event('POST', `/programs/sunrise/sessions/${id}/cancel`));
    expect(r.body).toMatchObject({ status: 'cancelled' });
    expect(ctx.scheduler.pending().filter((j) => j.name.includes(id))).toEqual([]);
    expect(ctx.activity.ofType('session.cancelled').map((e) => e.sessionId)).toContain(id);
  });

  it('discharges a client: coming sessions cancelled, nothing more scheduled', async () => {
    const r = await call(event('POST', '/programs/sunrise/clients/c-001/discharge', {}));
    expect(r.body).toMatchObject({ status: 'discharged' });
    const sessions = (await call(event('GET', '/programs/sunrise/clients/c-001/sessions'))).body.sessions as {
      status: string;
      start: string;
    }[];
    expect(
      sessions.filter((s) => s.start > '2027-01-04T15:00:00Z').every((s) => s.status === 'cancelled'),
    ).toBe(true);
    expect(
      ctx.scheduler
        .pending()
        .filter((j) => j.payload.programId === 'sunrise' && String(j.name).startsWith('rem-')),
    ).toEqual([]);
  });

  it('answers 404 for an unknown route and 405 for a wrong method', async () => {
    expect((await call(event('GET', '/nowhere'))).status).toBe(404);
    expect((await call(event('PATCH', '/programs/sunrise'))).status).toBe(405);
  });

  it('trusts only the verified token claims: a forged caller header or membership claim elsewhere is refused', async () => {
    // the local build's sign-in header means nothing to the Lambda build
    const unsigned = event('GET', '/programs/sunrise', undefined, null);
    (unsigned.headers as Record<string, string>)['x-cadence-caller'] = 'admin';
    expect((await call(unsigned)).status).toBe(401);
    // a clinician of sunrise claiming another program outside custom:programs
    const forged = event('GET', '/programs/harbor', undefined, clinicianOf('sunrise'));
    (forged.headers as Record<string, string>)['x-cadence-caller'] = 'clinician:harbor';
    const claims = (
      forged.requestContext as unknown as { authorizer: { jwt: { claims: Record<string, string> } } }
    ).authorizer.jwt.claims;
    claims.programs = 'harbor';
    claims['custom:program'] = 'harbor';
    expect((await call(forged)).status).toBe(403);
  });

  it('answers 503 with Retry-After when AWS throttles, never a bare 500', async () => {
    const original = ctx.deps.programs.getProgram.bind(ctx.deps.programs);
    ctx.deps.programs.getProgram = async () => {
      throw Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
    };
    try {
      const r = await call(event('GET', '/programs/sunrise'));
      expect(r.status).toBe(503);
      expect(r.body.message).toMatch(/try again/);
    } finally {
      ctx.deps.programs.getProgram = original;
    }
  });
});
