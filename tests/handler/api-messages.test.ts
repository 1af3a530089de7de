import { beforeAll, describe, expect, it } from 'vitest';
import { receiveSms } from '../../functions/use-cases/inbound-sms.ts';
import { clientBody, programBody } from '../support/api-bodies.ts';
import { admin, apiCaller, apiEvent, clinicianOf } from '../support/api-events.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';

describe('HTTP API: a client’s language, replies and confirmations', () => {
  let call: ReturnType<typeof apiCaller>;
  let ctx: ReturnType<typeof localDeps>;
  const text = (messageBody: string, inboundMessageId: string) =>
    receiveSms(ctx.deps, {
      originationNumber: clientBody.phone,
      destinationNumber: '+12025550100',
      messageBody,
      inboundMessageId,
    });

  beforeAll(async () => {
    const { doc, tableName } = await freshTable();
    ctx = localDeps(doc, tableName, '2027-01-04T15:00:00Z'); // Monday 10:00 in New York
    call = apiCaller(() => ctx.deps);
    expect((await call(apiEvent('POST', '/programs', { body: programBody, caller: admin }))).status).toBe(
      201,
    );
    const clinician = {
      id: 'dr-lee',
      availability: [{ days: ['MON', 'TUE'], start: '10:00', end: '16:00' }],
    };
    expect(
      (await call(apiEvent('PUT', '/programs/sunrise/clinicians/dr-lee', { body: clinician, caller: admin })))
        .status,
    ).toBe(200);
    const enrolled = await call(
      apiEvent('POST', '/programs/sunrise/clients', {
        body: { ...clientBody, language: 'es' },
        caller: admin,
      }),
    );
    expect(enrolled.status).toBe(201);
    expect(enrolled.body.client.language).toBe('es');
  });

  it('shows the language (en by default) and lets staff change it; nothing else is accepted', async () => {
    const patched = await call(
      apiEvent('PATCH', `/programs/sunrise/clients/${clientBody.id}`, {
        body: { language: 'en' },
        caller: admin,
      }),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.language).toBe('en');
    const bad = await call(
      apiEvent('PATCH', `/programs/sunrise/clients/${clientBody.id}`, {
        body: { language: 'fr' },
        caller: admin,
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe('body.language');
  });

  it('lists the client’s replies newest first, with their text and the session a confirmation confirmed', async () => {
    ctx.clock.set('2027-01-04T16:00:00Z');
    await text('running late', 'in-1');
    ctx.clock.set('2027-01-04T16:05:00Z');
    await text('C', 'in-2');
    const r = await call(
      apiEvent('GET', `/programs/sunrise/clients/${clientBody.id}/messages`, { caller: admin }),
    );
    expect(r.status).toBe(200);
    expect(r.body.messages).toEqual([
      expect.objectContaining({
        inboundMessageId: 'in-2',
        keyword: 'confirm',
        text: 'C',
        confirmedSessionId: expect.any(String),
      }),
      expect.objectContaining({
        inboundMessageId: 'in-1',
        keyword: 'other',
        text: 'running late',
        receivedAt: '2027-01-04T16:00:00Z',
      }),
    ]);
    const page = await call(
      apiEvent('GET', `/programs/sunrise/clients/${clientBody.id}/messages`, {
        caller: admin,
        query: { limit: '1' },
      }),
    );
    expect(page.body.messages).toHaveLength(1);
    expect(page.body.cursor).toEqual(expect.any(String));
  });

  it('shows replies only to staff of the client’s program, and 404s an unknown client', async () => {
    const path = `/programs/sunrise/clients/${clientBody.id}/messages`;
    expect((await call(apiEvent('GET', path, { caller: clinicianOf('sunrise') }))).status).toBe(200);
    expect((await call(apiEvent('GET', path, { caller: clinicianOf('dawn') }))).status).toBe(403);
    expect((await call(apiEvent('GET', path, { caller: null }))).status).toBe(401);
    expect(
      (await call(apiEvent('GET', '/programs/sunrise/clients/c-999/messages', { caller: admin }))).status,
    ).toBe(404);
  });
});
