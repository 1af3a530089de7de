import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMinutes } from '../../functions/domain/zoned-time.ts';
import { type LocalRuntime, startLocalRuntime } from '../support/local-runtime.ts';

describe('npm start: the local runtime', () => {
  let runtime: LocalRuntime;
  let now = '2027-01-05T15:00:00Z';
  const lines: string[] = [];

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      print: (line) => lines.push(line),
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
    const { scheduler } = runtime.system;
    expect(scheduler.recurringJob('week-harbor')).toMatchObject({
      target: 'generate-week',
      timezone: 'America/Los_Angeles',
    });
    expect(scheduler.recurringJob('draw-harbor')).toMatchObject({
      target: 'draw-screens',
      cron: '0 6 ? * MON,TUE,WED,THU,FRI *',
    });
    expect(scheduler.recurringJob('sweep-harbor')!.next > now).toBe(true);
  });

  it('keeps a clinician of another program out', async () => {
    const res = await fetch(`${runtime.url}/programs/sunrise`, {
      headers: { 'x-cadence-caller': 'clinician:other' },
    });
    expect(res.status).toBe(403);
  });

  it('fires the weekly generation, the draws and the sweep of a program created through the API', async () => {
    const enrolled = await fetch(`${runtime.url}/programs/harbor/clients`, {
      method: 'POST',
      body: JSON.stringify({
        id: 'h-001',
        phone: '+12025550191',
        track: 'evening',
        start: '2027-01-05',
        smsConsent: true,
      }),
    });
    expect(enrolled.status).toBe(201);
    const { deps, scheduler } = runtime.system;
    expect(await deps.sessions.listSessionsByWeek('harbor', '2027-W02')).toEqual([]);
    // Saturday 01:00 in Los Angeles: past Wednesday to Friday's draws (06:00), four sweeps (05:30)
    // and the weekly generation (Saturday 00:05)
    now = '2027-01-09T09:00:00Z';
    await runtime.tick();
    expect(lines.filter((l) => l.startsWith('❌'))).toEqual([]);
    for (const date of ['2027-01-06', '2027-01-07', '2027-01-08'])
      expect(await deps.screening.getDraw('harbor', date), date).toBeDefined();
    expect(await deps.screening.getDraw('harbor', '2027-01-09')).toBeUndefined();
    const nextWeek = await deps.sessions.listSessionsByWeek('harbor', '2027-W02');
    expect(nextWeek.map((s) => [s.clientId, s.start])).toEqual([['h-001', '2027-01-12T02:00:00Z']]);
    expect(scheduler.recurringJob('sweep-harbor')!.next).toBe('2027-01-09T13:30:00Z');
    expect(scheduler.recurringJob('week-harbor')!.next).toBe('2027-01-16T08:05:00Z');
  });
});
