import { beforeAll, describe, expect, it } from 'vitest';
import { apiCaller, apiEvent, clinicianOf } from '../support/api-events.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';

const program = (id: string) => ({
  id,
  name: 'Sunrise',
  timezone: 'America/New_York',
  tracks: [
    {
      id: 'evening',
      groups: [{ days: ['MON', 'TUE', 'THU'], start: '18:00', minutes: 180, topic: 'skills' }],
    },
    {
      id: 'morning',
      groups: [{ days: ['MON', 'WED', 'FRI'], start: '09:00', minutes: 180, topic: 'skills' }],
    },
  ],
});
const client = (i: number, track: string) => ({
  id: `c-${String(i).padStart(3, '0')}`,
  phone: `+1202555${String(2000 + i).padStart(4, '0')}`,
  track,
  start: '2027-01-04',
  smsConsent: true,
});

describe('list routes a new user needs, with cursor pagination', () => {
  let call: ReturnType<typeof apiCaller>;

  beforeAll(async () => {
    const { doc, tableName } = await freshTable();
    const ctx = localDeps(doc, tableName, '2027-01-04T15:00:00Z');
    call = apiCaller(() => ctx.deps);
    for (const id of ['alpha', 'beta', 'gamma'])
      expect((await call(apiEvent('POST', '/programs', { body: program(id) }))).status).toBe(201);
    for (const id of ['dr-a', 'dr-b', 'dr-c'])
      await call(apiEvent('PUT', `/programs/alpha/clinicians/${id}`, { body: { id, availability: [] } }));
    for (let i = 0; i < 7; i++)
      expect(
        (
          await call(
            apiEvent('POST', '/programs/alpha/clients', { body: client(i, i % 2 ? 'morning' : 'evening') }),
          )
        ).status,
      ).toBe(201);
    await call(apiEvent('POST', '/programs/alpha/clients/c-000/discharge', { body: {} }));
  });

  it('tells the caller who they are', async () => {
    const me = await call(apiEvent('GET', '/me', { caller: clinicianOf('alpha,beta') }));
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ subject: 'user-1', roles: ['clinician'], programs: ['alpha', 'beta'] });
    // Behind CloudFront the same API answers under /api on the web app's origin.
    const viaApp = await call(apiEvent('GET', '/api/me', { caller: clinicianOf('alpha,beta') }));
    expect(viaApp.body).toEqual(me.body);
  });

  it('lists programs page by page; a clinician sees only theirs', async () => {
    const first = await call(apiEvent('GET', '/programs', { query: { limit: '2' } }));
    expect(first.body.programs.map((p: { id: string }) => p.id)).toEqual(['alpha', 'beta']);
    const second = await call(
      apiEvent('GET', '/programs', { query: { limit: '2', cursor: first.body.cursor } }),
    );
    expect(second.body.programs.map((p: { id: string }) => p.id)).toEqual(['gamma']);
    expect(second.body.cursor).toBeUndefined();
    const mine = await call(apiEvent('GET', '/programs', { caller: clinicianOf('beta') }));
    expect(mine.body.programs.map((p: { id: string }) => p.id)).toEqual(['beta']);
  });

  it('lists every client of a program across pages, filtered by status and track', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await call(
        apiEvent('GET', '/programs/alpha/clients', { query: { limit: '3', ...(cursor ? { cursor } : {}) } }),
      );
      expect(r.status).toBe(200);
      expect(r.body.clients.length).toBeLessThanOrEqual(3);
      seen.push(...r.body.clients.map((c: { id: string }) => c.id));
      cursor = r.body.cursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    const active = await call(
      apiEvent('GET', '/programs/alpha/clients', { query: { status: 'active', track: 'evening' } }),
    );
    expect(active.body.clients.map((c: { id: string }) => c.id)).toEqual(['c-002', 'c-004', 'c-006']);
  });

  it('refuses a cursor it did not hand out, naming query.cursor', async () => {
    const forged = Buffer.from(JSON.stringify({ pk: 'PROGRAM#beta', sk: 'CLIENT#x', part: 0 })).toString(
      'base64url',
    );
    for (const cursor of [
      'bm90LWpzb24',
      forged.replace(/./, 'A'),
      Buffer.from('[1]').toString('base64url'),
    ]) {
      const r = await call(apiEvent('GET', '/programs/alpha/clients', { query: { cursor } }));
      expect(r.status, cursor).toBe(400);
      expect(r.body.issues[0].field).toBe('query.cursor');
    }
  });

  it('lists clinicians', async () => {
    const r = await call(apiEvent('GET', '/programs/alpha/clinicians'));
    expect(r.body.clinicians.map((c: { id: string }) => c.id)).toEqual(['dr-a', 'dr-b', 'dr-c']);
  });

  it('lists the sessions of a program by local date range, page by page', async () => {
    const week = await call(apiEvent('GET', '/programs/alpha/sessions', { query: { week: '2027-W01' } }));
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await call(
        apiEvent('GET', '/programs/alpha/sessions', {
          query: { from: '2027-01-04', to: '2027-01-10', limit: '5', ...(cursor ? { cursor } : {}) },
        }),
      );
      expect(r.status).toBe(200);
      all.push(...r.body.sessions.map((s: { sessionId: string }) => s.sessionId));
      cursor = r.body.cursor;
    } while (cursor);
    expect(all.sort()).toEqual(week.body.sessions.map((s: { sessionId: string }) => s.sessionId).sort());
    const bad = await call(
      apiEvent('GET', '/programs/alpha/sessions', { query: { from: '2027-01-10', to: '2027-01-04' } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe('query.from');
  });

  it('lists open flags by severity', async () => {
    const r = await call(apiEvent('GET', '/programs/alpha/flags', { query: { severity: 'critical' } }));
    expect(r.status).toBe(200);
    expect(r.body.flags).toEqual([]);
    const bad = await call(apiEvent('GET', '/programs/alpha/flags', { query: { severity: 'high' } }));
    expect(bad.body.issues[0].field).toBe('query.severity');
  });

  it('keeps list routes program-scoped', async () => {
    const r = await call(apiEvent('GET', '/programs/alpha/clients', { caller: clinicianOf('beta') }));
    expect(r.status).toBe(403);
  });
});
