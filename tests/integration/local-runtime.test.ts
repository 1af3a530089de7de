import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMinutes } from '../../functions/domain/zoned-time.ts';
import { startRuntime } from '../../local/runtime.ts';
import { freshTable } from '../support/dynamo.ts';

describe('npm start: the local runtime', () => {
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  let now = '2027-01-05T15:00:00Z';
  const lines: string[] = [];

  beforeAll(async () => {
    const { doc, tableName } = await freshTable();
    runtime = await startRuntime({
      doc,
      tableName,
      port: 0,
      print: (line) => lines.push(line),
      seedDemo: true,
      realNow: () => now,
      tickMs: 60_000,
    });
  });
  afterAll(async () => runtime.stop());

  it('seeds the demo program and schedules its week with jobs due within minutes', () => {
    expect(lines[0]).toMatch(/Seeded the demo program "Sunrise"/);
    const next = runtime.system.scheduler.pending()[0]!;
    expect(next.target).toBe('send-reminder');
    expect(next.at > now && next.at <= addMinutes(now, 2)).toBe(true);
  });

  it('fires due jobs on the clock: an SMS within the first minutes, shown on the console', async () => {
    now = addMinutes(now, 2);
    await runtime.tick();
    expect(
      lines.some((l) => l.startsWith('📱 SMS') && l.includes('Sunrise: reminder of your appointment')),
    ).toBe(true);
  });

  it('serves the API through the same handler as in AWS', async () => {
    const program = await fetch(`${runtime.url}/programs/sunrise`);
    expect(program.status).toBe(200);
    expect(await program.json()).toMatchObject({ id: 'sunrise', name: 'Sunrise' });
    const bad = await fetch(`${runtime.url}/programs/sunrise/clients`, {
      method: 'POST',
      body: JSON.stringify({
        id: 'c-900',
        phone: '555',
        track: 'morning',
        start: '2027-01-05',
        smsConsent: true,
      }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('body.phone');
    expect((await fetch(`${runtime.url}/programs/sunrise/clients/c-900`)).status).toBe(404);
  });

  it('enrols a client and schedules the rest of their week at once', async () => {
    const res = await fetch(`${runtime.url}/programs/sunrise/clients`, {
      method: 'POST',
      body: JSON.stringify({
        id: 'c-900',
        phone: '+12025550190',
        track: 'evening',
        clinicianId: 'dr-lee',
        start: '2027-01-05',
        smsConsent: true,
      }),
    });
    expect(res.status).toBe(201);
    const sessions = (await (
      await fetch(`${runtime.url}/programs/sunrise/clients/c-900/sessions`)
    ).json()) as {
      sessions: { start: string }[];
    };
    expect(sessions.sessions.length).toBeGreaterThan(0);
    expect(sessions.sessions.every((s: { start: string }) => s.start >= now)).toBe(true);
  });

  it('gives a program created through the API its recurring jobs, in its time zone', async () => {
    const res = await fetch(`${runtime.url}/programs`, {
      method: 'POST',
      body: JSON.stringify({
        id: 'harbor',
        name: 'Harbor',
        timezone: 'America/Los_Angeles',
        tracks: [
          { id: 'evening', groups: [{ days: ['MON'], start: '18:00', minutes: 180, topic: 'skills' }] },
        ],
        drugScreens: {},
      }),
    });
    expect(res.status).toBe(201);
    expect(runtime.recurring.get('week-harbor')).toMatchObject({
      target: 'generate-week',
      timezone: 'America/Los_Angeles',
    });
    expect(runtime.recurring.get('draw-harbor')).toMatchObject({
      target: 'draw-screens',
      cron: '0 6 ? * MON,TUE,WED,THU,FRI *',
    });
    expect(runtime.recurring.get('sweep-harbor')!.next > now).toBe(true);
  });

  it('keeps a clinician of another program out', async () => {
    const res = await fetch(`${runtime.url}/programs/sunrise`, {
      headers: { 'x-cadence-caller': 'clinician:other' },
    });
    expect(res.status).toBe(403);
  });
});
