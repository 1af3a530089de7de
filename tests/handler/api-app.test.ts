import { beforeAll, describe, expect, it } from 'vitest';
import { reminderMessageKey } from '../../functions/domain/reminders.ts';
import { clientBody, programBody } from '../support/api-bodies.ts';
import { apiCaller, apiEvent, clinicianOf } from '../support/api-events.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';

/** The routes the care-team web app added (routes/app.ts): a client's timeline and the week preview. */
describe('web app routes: timeline and week preview', () => {
  let call: ReturnType<typeof apiCaller>;
  let ctx: ReturnType<typeof localDeps>;

  beforeAll(async () => {
    const { doc, tableName } = await freshTable();
    ctx = localDeps(doc, tableName, '2027-01-04T15:00:00Z');
    call = apiCaller(() => ctx.deps);
    expect((await call(apiEvent('POST', '/programs', { body: programBody }))).status).toBe(201);
    await call(
      apiEvent('PUT', '/programs/sunrise/clinicians/dr-lee', { body: { id: 'dr-lee', availability: [] } }),
    );
    expect((await call(apiEvent('POST', '/programs/sunrise/clients', { body: clientBody }))).status).toBe(
      201,
    );
  });

  it('shows every SMS sent or suppressed with its reason, from the ledger', async () => {
    const [first] = await ctx.deps.sessions.listSessionsByClient('sunrise', 'c-001');
    const sent = reminderMessageKey(first!, 1440);
    const suppressed = reminderMessageKey(first!, 120);
    await ctx.deps.ledger.claim(sent, '2027-01-04T15:00:00Z');
    await ctx.deps.ledger.confirm(sent, 'msg-1', '2027-01-04T15:00:01Z');
    await ctx.deps.ledger.settle(suppressed, 'suppressed:quiet-hours', '2027-01-04T15:00:02Z');
    const res = await call(apiEvent('GET', '/api/programs/sunrise/clients/c-001/timeline'));
    expect(res.status).toBe(200);
    expect(res.body.messages).toEqual([
      expect.objectContaining({ purpose: 'reminder', offsetMinutes: 1440, outcome: 'sent' }),
      expect.objectContaining({ offsetMinutes: 120, outcome: 'suppressed', reason: 'quiet-hours' }),
    ]);
    expect(res.body.client).toMatchObject({ id: 'c-001', smsConsent: true, smsOptedOut: false });
    expect(res.body.sessions.length).toBeGreaterThan(0);
  });

  it('shows screen results to clinicians only; an admin sees that one was recorded', async () => {
    const recorded = await call(
      apiEvent('POST', '/programs/sunrise/screens/results', {
        body: { clientId: 'c-001', date: '2027-01-04', result: 'negative' },
      }),
    );
    expect(recorded.status).toBe(201);
    const asClinician = await call(
      apiEvent('GET', '/programs/sunrise/clients/c-001/timeline', { caller: clinicianOf('sunrise') }),
    );
    expect(asClinician.body.screens).toEqual([
      expect.objectContaining({ date: '2027-01-04', result: 'negative' }),
    ]);
    const asAdmin = await call(apiEvent('GET', '/programs/sunrise/clients/c-001/timeline'));
    expect(asAdmin.body.screens).toEqual([expect.objectContaining({ result: 'recorded' })]);
  });

  it("refuses a clinician another program's client timeline", async () => {
    const res = await call(
      apiEvent('GET', '/programs/sunrise/clients/c-001/timeline', { caller: clinicianOf('other') }),
    );
    expect(res.status).toBe(403);
  });

  it('previews the week an enrolment would produce, writing nothing', async () => {
    const res = await call(
      apiEvent('POST', '/programs/sunrise/week-preview', {
        body: { client: { ...clientBody, id: 'c-002' } },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.week).toBe('2027-W02');
    expect(res.body.sessions.map((s: { kind: string }) => s.kind)).toEqual(['group', 'group', 'group']);
    // dr-lee has no availability: the individual session is reported, not silently dropped.
    expect(res.body.unplaced).toEqual([expect.objectContaining({ clientId: 'c-002', kind: 'individual' })]);
    expect(await ctx.deps.clients.getClient('sunrise', 'c-002')).toBeUndefined();
    expect(await ctx.deps.sessions.listSessionsByClient('sunrise', 'c-002')).toEqual([]);
  });

  it("previews a program's unsaved settings, and names the field of a bad one", async () => {
    const evening = {
      ...programBody,
      tracks: [{ id: 'evening', groups: [{ days: ['WED'], start: '17:00', minutes: 120, topic: 'skills' }] }],
    };
    const ok = await call(apiEvent('POST', '/programs/sunrise/week-preview', { body: { program: evening } }));
    expect(ok.status).toBe(200);
    expect(ok.body.sessions.filter((s: { kind: string }) => s.kind === 'group')).toHaveLength(1);
    const bad = await call(
      apiEvent('POST', '/programs/sunrise/week-preview', {
        body: { client: { ...clientBody, id: 'c-003', phone: '555' } },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe('body.client.phone');
  });

  it("never takes npm start's local caller header in the Lambda build: without JWT claims it is a 401", async () => {
    const event = apiEvent('GET', '/api/programs/sunrise/clients/c-001/timeline', { caller: null });
    event.headers = { 'x-cadence-caller': 'admin' };
    const res = await call(event);
    expect(res.status).toBe(401);
  });
});
