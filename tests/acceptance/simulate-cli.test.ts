import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const tsx = join('node_modules', '.bin', 'tsx');
const simulate = (...args: string[]) =>
  spawnSync(tsx, ['local/simulate.ts', ...args], { encoding: 'utf8', timeout: 120_000 });

describe('npm run simulate', () => {
  it('exits 2 on an invalid scenario, naming every bad path, and runs nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadence-'));
    const file = join(dir, 'bad.json');
    const scenario = JSON.parse(readFileSync('scenarios/basic-week.json', 'utf8'));
    scenario.clients[3].phone = '2025550104';
    scenario.clients[1].track = 'night';
    scenario.program.timezone = 'Mars/Olympus';
    scenario.run.days = 0;
    scenario.actions.push({ at: '2027-01-05 12:00', type: 'opt-out', clientId: 'c-999' });
    writeFileSync(file, JSON.stringify(scenario));
    const out = join(dir, 'events.jsonl');
    const result = simulate('--scenario', file, '--out', out);
    expect(result.status).toBe(2);
    for (const path of ['clients[3].phone', 'program.timezone', 'run.days', 'actions[1].at']) {
      expect(result.stderr).toContain(path);
    }
    expect(result.stderr).toContain('expected E.164');
    expect(() => readFileSync(out)).toThrow();
  });

  it('exits 2 on invalid version 2 actions, naming each one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadence-'));
    const run = (name: string, actions: unknown[]) => {
      const file = join(dir, name);
      const scenario = JSON.parse(readFileSync('scenarios/basic-week.json', 'utf8'));
      scenario.actions = actions;
      writeFileSync(file, JSON.stringify(scenario));
      return simulate('--scenario', file);
    };
    const malformed = run('malformed.json', [
      { at: '2027-01-05T08:00', type: 'fault', port: 'disk', count: 0 },
      { at: '2027-01-05T12:00', type: 'reschedule-session', clientId: 'c-001', date: '2027-01-06' },
      {
        at: '2027-01-05T12:00',
        type: 'reschedule-session',
        clientId: 'c-001',
        date: '2027-01-06',
        to: '2027-01-07 10:00',
      },
      { at: '2027-01-05T12:00', type: 'sms-reply', clientId: 'c-001' }, // no text
    ]);
    expect(malformed.status).toBe(2);
    for (const path of [
      'actions[0].port',
      'actions[0].count',
      'actions[1].to',
      'actions[2].to',
      'actions[3].text',
    ])
      expect(malformed.stderr).toContain(path);
    const inconsistent = run('inconsistent.json', [
      { at: '2027-01-05T08:00', type: 'fault', port: 'sms', count: 2 },
      {
        at: '2027-01-05T12:00',
        type: 'reschedule-session',
        clientId: 'c-001',
        date: '2027-01-06',
        to: '2027-01-05T11:00',
      },
      {
        at: '2027-01-05T12:00',
        type: 'reschedule-session',
        clientId: 'c-999',
        date: '2027-01-06',
        to: '2027-01-07T10:00',
      },
    ]);
    expect(inconsistent.status).toBe(2);
    expect(inconsistent.stderr).toContain('actions[1].to');
    expect(inconsistent.stderr).toContain('actions[2].clientId');
    expect(inconsistent.stderr).not.toContain('actions[0]'); // a fault has no client
  });

  it('exits 2 on a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadence-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "program": ');
    const result = simulate('--scenario', file);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/invalid scenario/);
  });

  it('writes one JSON event per line and a summary to stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadence-'));
    const out = join(dir, 'events.jsonl');
    const result = simulate('--scenario', 'scenarios/basic-week.json', '--out', out);
    expect(result.status).toBe(0);
    const events = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.length).toBeGreaterThan(20);
    for (const e of events)
      expect(e).toMatchObject({ type: expect.any(String), at: expect.stringMatching(/Z$/) });
    expect(result.stderr).toMatch(/sessions scheduled\s+\d+/);
    expect(result.stderr).toMatch(/SMS suppressed: no-consent\s+\d+/);
  });

  it('runs sms-reply and Spanish clients (exit 0): sms.received, a Spanish answer, never the text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadence-'));
    const out = join(dir, 'events.jsonl');
    const result = simulate('--scenario', 'scenarios/replies-and-spanish.json', '--out', out);
    expect(result.status).toBe(0);
    const text = readFileSync(out, 'utf8');
    const events = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.filter((e) => e.type === 'sms.received').length).toBeGreaterThan(20);
    expect(events.some((e) => e.type === 'session.confirmed')).toBe(true);
    expect(
      events.some(
        (e) => e.type === 'sms.sent' && e.purpose === 'help' && /^Harbor Point: avisos/.test(e.body),
      ),
    ).toBe(true);
    expect(text).not.toContain('llego tarde');
  });
});
