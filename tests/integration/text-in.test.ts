import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/handlers/api/routes.ts';
import { TEXT_IN_PATH } from '../../local/text-in.ts';
import { type LocalRuntime, startLocalRuntime } from '../support/local-runtime.ts';

describe('npm start: texting in as a client (POST /local/sms, npm run sms)', () => {
  let runtime: LocalRuntime;
  const now = '2027-01-05T15:00:00Z';
  const lines: string[] = [];
  const text = (body: unknown) =>
    fetch(`${runtime.url}${TEXT_IN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      print: (line) => lines.push(line),
      realNow: () => now,
      tickMs: 60_000,
    });
  });
  afterAll(async () => runtime.stop());

  it('answers HELP on the console like every other SMS, in the client’s language', async () => {
    const res = await text({ from: '+12025550104', text: 'help' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ clientId: 'c-004', keyword: 'help', effect: 'answered' });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^📱 SMS .* to \+12025550104: Sunrise: avisos de citas\. .*Responda STOP para darse de baja\.$/,
      ),
    );
  });

  it('confirms the next session on "C", and shows the reply to staff in the API', async () => {
    const res = await text({ from: '+12025550101', text: 'C' });
    const outcome = (await res.json()) as { keyword: string; effect: string };
    expect(outcome).toMatchObject({ keyword: 'confirm', effect: expect.stringMatching(/^confirmed /) });
    const messages = await fetch(`${runtime.url}/api/programs/sunrise/clients/c-001/messages`);
    expect(messages.status).toBe(200);
    expect(await messages.json()).toMatchObject({
      messages: [
        expect.objectContaining({ keyword: 'confirm', text: 'C', confirmedSessionId: expect.any(String) }),
      ],
    });
  });

  it('ignores a number that is no client, without an answer', async () => {
    const before = lines.filter((l) => l.startsWith('📱')).length;
    expect(await (await text({ from: '+12065550123', text: 'HELP' })).json()).toEqual({
      ignored: 'unknown-number',
    });
    expect(lines.filter((l) => l.startsWith('📱')).length).toBe(before);
  });

  it('refuses a body that is not { from, text } with the field named', async () => {
    const res = await text({ from: '555', text: 'C' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('from: expected E.164');
  });

  it('is a route of the local runtime only: the Lambda API has no such route', async () => {
    expect(routes.some((r) => r.path.startsWith('/local'))).toBe(false);
    expect((await fetch(`${runtime.url}/api${TEXT_IN_PATH}`, { method: 'POST', body: '{}' })).status).toBe(
      404,
    );
  });
});
