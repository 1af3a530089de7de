import { beforeAll, describe, expect, it } from 'vitest';
import { clientBody, programBody } from '../support/api-bodies.ts';
import { type ApiResponse, apiCaller, apiEvent } from '../support/api-events.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';

const program = programBody;
const client = clientBody;
const fields = (r: ApiResponse) => (r.body.issues ?? []).map((i: { field: string }) => i.field);

describe('strict validation: every bad input is a 4xx naming the field or conflict, and nothing is written', () => {
  let call: ReturnType<typeof apiCaller>;
  let ctx: ReturnType<typeof localDeps>;

  beforeAll(async () => {
    const { doc, tableName } = await freshTable();
    ctx = localDeps(doc, tableName, '2027-01-04T15:00:00Z'); // Monday 10:00 in New York
    call = apiCaller(() => ctx.deps);
    expect((await call(apiEvent('POST', '/programs', { body: program }))).status).toBe(201);
    const clinician = {
      id: 'dr-lee',
      availability: [{ days: ['TUE', 'THU'], start: '10:00', end: '16:00' }],
    };
    expect(
      (await call(apiEvent('PUT', '/programs/sunrise/clinicians/dr-lee', { body: clinician }))).status,
    ).toBe(200);
    expect((await call(apiEvent('POST', '/programs/sunrise/clients', { body: client }))).status).toBe(201);
  });

  it('refuses client sessions with from later than to (400 naming query.from)', async () => {
    const r = await call(
      apiEvent('GET', '/programs/sunrise/clients/c-001/sessions', {
        query: { from: '2027-02-01T00:00:00Z', to: '2027-01-01T00:00:00Z' },
      }),
    );
    expect(r.status).toBe(400);
    expect(fields(r)).toEqual(['query.from']);
  });

  it('refuses 20,000 tracks and 50,000 closures by name', async () => {
    for (const length of [20_000, 100]) {
      const tracks = Array.from({ length }, (_, i) => ({ id: `t${i}`, groups: [] }));
      const r1 = await call(apiEvent('POST', '/programs', { body: { ...program, id: 'big', tracks } }));
      expect([400, 413]).toContain(r1.status);
      expect(fields(r1).some((f: string) => f === 'body' || f === 'body.tracks')).toBe(true);
    }
    const tracks = Array.from({ length: 100 }, (_, i) => ({ id: `t${i}`, groups: [] }));
    const small = await call(apiEvent('POST', '/programs', { body: { ...program, id: 'big', tracks } }));
    expect(small.status).toBe(400);
    expect(fields(small)).toEqual(['body.tracks']);
    const closures = Array.from({ length: 50_000 }, () => '2027-01-01');
    const r2 = await call(apiEvent('POST', '/programs', { body: { ...program, id: 'big', closures } }));
    expect([400, 413]).toContain(r2.status);
    expect(fields(r2).some((f: string) => f === 'body' || f === 'body.closures')).toBe(true);
    expect((await call(apiEvent('GET', '/programs/big'))).status).toBe(404);
  });

  it('refuses a body over 256 KB with a 413', async () => {
    const r = await call(
      apiEvent('POST', '/programs', { rawBody: JSON.stringify({ ...program, pad: 'x'.repeat(300_000) }) }),
    );
    expect(r.status).toBe(413);
    expect(fields(r)).toEqual(['body']);
  });

  it('refuses two groups of one track overlapping on the same day, naming both', async () => {
    const tracks = [
      {
        id: 'evening',
        groups: [
          { days: ['MON', 'TUE'], start: '18:00', minutes: 120, topic: 'skills' },
          { days: ['TUE', 'WED'], start: '19:00', minutes: 60, topic: 'support' },
        ],
      },
    ];
    const r = await call(apiEvent('POST', '/programs', { body: { ...program, id: 'overlap', tracks } }));
    expect(r.status).toBe(400);
    expect(fields(r)).toEqual(['body.tracks[0].groups[1]']);
    expect(r.body.issues[0].message).toMatch(/groups\[0\].*TUE/);
  });

  it('canonicalises the time zone', async () => {
    const r = await call(
      apiEvent('POST', '/programs', { body: { ...program, id: 'harbor', timezone: 'america/new_york' } }),
    );
    expect(r.status).toBe(201);
    expect(r.body.timezone).toBe('America/New_York');
  });

  it('refuses enrolment with an unknown clinician or a status other than active', async () => {
    const r1 = await call(
      apiEvent('POST', '/programs/sunrise/clients', {
        body: { ...client, id: 'c-002', clinicianId: 'dr-who' },
      }),
    );
    expect(r1.status).toBe(400);
    expect(fields(r1)).toEqual(['body.clinicianId']);
    const r2 = await call(
      apiEvent('POST', '/programs/sunrise/clients', {
        body: { ...client, id: 'c-002', status: 'discharged' },
      }),
    );
    expect(r2.status).toBe(400);
    expect(fields(r2)).toEqual(['body.status']);
    const r3 = await call(
      apiEvent('POST', '/programs/sunrise/clients', { body: { ...client, id: 'c-002', track: 'night' } }),
    );
    expect(r3.status).toBe(400);
    expect(fields(r3)).toEqual(['body.track']);
    expect((await call(apiEvent('GET', '/programs/sunrise/clients/c-002'))).status).toBe(404);
  });

  it.each([
    ['phone', '+10000000000'],
    ['start', '0020-01-01'],
    ['start', '9999-12-31'],
  ])('refuses the client %s %s', async (field, value) => {
    const r = await call(
      apiEvent('POST', '/programs/sunrise/clients', { body: { ...client, id: 'c-003', [field]: value } }),
    );
    expect(r.status).toBe(400);
    expect(fields(r)).toEqual([`body.${field}`]);
  });

  it('refuses unknown fields in bodies and queries on every route alike', async () => {
    const r1 = await call(
      apiEvent('POST', '/programs/sunrise/clients', { body: { ...client, id: 'c-4', vip: true } }),
    );
    expect(r1.status).toBe(400);
    expect(fields(r1)).toEqual(['body.vip']);
    const r2 = await call(apiEvent('GET', '/programs/sunrise', { query: { verbose: '1' } }));
    expect(r2.status).toBe(400);
    expect(fields(r2)).toEqual(['query.verbose']);
    const r3 = await call(
      apiEvent('GET', '/programs/sunrise/sessions', { query: { week: '2027-W01', client: 'c-001' } }),
    );
    expect(fields(r3)).toEqual(['query.client']);
    const r4 = await call(apiEvent('POST', '/programs/sunrise/flags/f-1/acknowledge', { body: { x: 1 } }));
    expect(r4.status).toBe(400);
    expect(fields(r4)).toEqual(['body.x']);
  });

  it('refuses attendance more than 30 minutes before the start (409), accepts it from then', async () => {
    const sessions = (await call(apiEvent('GET', '/programs/sunrise/clients/c-001/sessions'))).body.sessions;
    const later = sessions.find((s: { start: string }) => s.start > '2027-01-05T00:00:00Z');
    const r = await call(apiEvent('POST', `/programs/sunrise/sessions/${later.sessionId}/check-in`));
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/30 minutes before/);
    const stored = await ctx.deps.sessions.getSession('sunrise', later.sessionId);
    expect(stored!.attendance).toBeUndefined();
  });

  it('refuses a screen result dated in the future', async () => {
    const r = await call(
      apiEvent('POST', '/programs/sunrise/screens/results', {
        body: { clientId: 'c-001', date: '2028-01-04', result: 'positive' },
      }),
    );
    expect(r.status).toBe(400);
    expect(fields(r)).toEqual(['body.date']);
    expect(await ctx.deps.screening.getScreen('sunrise', 'c-001', '2028-01-04')).toBeUndefined();
  });

  it('refuses a reschedule onto another session of the client, naming it (409)', async () => {
    const sessions = (await call(apiEvent('GET', '/programs/sunrise/clients/c-001/sessions'))).body
      .sessions as {
      sessionId: string;
      start: string;
      kind: string;
    }[];
    const groups = sessions.filter((s) => s.kind === 'group');
    const [a, b] = [groups[0]!, groups[1]!];
    const r = await call(
      apiEvent('POST', `/programs/sunrise/sessions/${a.sessionId}/reschedule`, { body: { start: b.start } }),
    );
    expect(r.status).toBe(409);
    expect(r.body.message).toContain(b.sessionId);
    expect((await ctx.deps.sessions.getSession('sunrise', a.sessionId))!.start).toBe(a.start);
  });

  it("refuses a reschedule outside the clinician's availability (409)", async () => {
    const sessions = (await call(apiEvent('GET', '/programs/sunrise/clients/c-001/sessions'))).body
      .sessions as {
      sessionId: string;
      start: string;
      kind: string;
    }[];
    const individual = sessions.find((s) => s.kind === 'individual');
    expect(individual).toBeDefined();
    // Wednesday 10:00 New York: dr-lee works Tuesdays and Thursdays only
    const r = await call(
      apiEvent('POST', `/programs/sunrise/sessions/${individual!.sessionId}/reschedule`, {
        body: { start: '2027-01-06T15:00:00Z' },
      }),
    );
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/availability/);
  });

  it('answers a 405 with an Allow header', async () => {
    const r = await call(apiEvent('DELETE', '/programs/sunrise/clients/c-001'));
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, PATCH');
  });
});
