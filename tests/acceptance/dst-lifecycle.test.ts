import { beforeAll, describe, expect, it } from 'vitest';
import { localTimeOf } from '../../functions/domain/zoned-time.ts';
import type { StampedEvent } from '../../local/adapters/recording-activity-log.ts';
import { expectSpecRules, runScenario } from './run-scenario.ts';

/** Our own scenario: a DST week in New York, quiet hours, consent, opt-out/in, a cancellation, a discharge, flags. */
describe('scenario dst-lifecycle.json', () => {
  let run: Awaited<ReturnType<typeof runScenario>>;
  const of = (type: string, where: (e: StampedEvent) => boolean = () => true) =>
    run.events.filter((e) => e.type === type && where(e));
  beforeAll(async () => {
    run = await runScenario('scenarios/dst-lifecycle.json');
  });

  it('keeps every rule of the scenario spec, with no failed job', () => {
    expect(run.jobErrors).toEqual([]);
    expectSpecRules(run.scenario, run.events);
  });

  it('keeps the evening group at 18:00 local on both sides of the 2027-03-14 change', () => {
    const evening = of('session.scheduled', (e) => e.clientId === 'c-002' && e.kind === 'group');
    const before = evening.filter((e) => String(e.date) < '2027-03-14');
    const after = evening.filter((e) => String(e.date) > '2027-03-14');
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    for (const s of evening) expect(localTimeOf(String(s.start), 'America/New_York')).toBe('18:00');
    expect(String(before[0]!.start).slice(11, 16)).toBe('23:00');
    expect(String(after[0]!.start).slice(11, 16)).toBe('22:00');
  });

  it('schedules nothing on the closure and reports the short weeks', () => {
    expect(of('session.scheduled', (e) => e.date === '2027-03-17')).toEqual([]);
    expect(of('schedule.shortfall', (e) => e.clientId === 'c-004')).not.toEqual([]);
    // the adolescent's minimum is 6 hours
    for (const s of of('schedule.shortfall', (e) => e.clientId === 'c-005')) expect(s.minimum).toBe(6);
  });

  it('suppresses a reminder that quiet hours would push within 30 minutes of the session', () => {
    // 08:15 sessions: the 120-minute reminder is due at 06:15, quiet until 08:00, 15 minutes before
    const suppressed = of('sms.suppressed', (e) => e.reason === 'quiet-hours' && e.offsetMinutes === 120);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) expect(localTimeOf(String(s.at), 'America/New_York')).toBe('06:15');
  });

  it('texts nobody without consent, and records why', () => {
    expect(of('sms.sent', (e) => e.clientId === 'c-003')).toEqual([]);
    expect(
      of('sms.suppressed', (e) => e.clientId === 'c-003' && e.reason === 'no-consent').length,
    ).toBeGreaterThan(0);
  });

  it('stops at opt-out, and after opt-in confirms once and reminds again', () => {
    const toC4 = of('sms.sent', (e) => e.clientId === 'c-004');
    const between = toC4.filter(
      (e) => String(e.at) > '2027-03-09T17:00:00Z' && String(e.at) < '2027-03-12T17:00:00Z',
    );
    expect(between).toEqual([]);
    expect(toC4.filter((e) => e.purpose === 'opt-in')).toHaveLength(1);
    expect(toC4.some((e) => e.purpose === 'reminder' && String(e.at) > '2027-03-12T17:00:00Z')).toBe(true);
  });

  it('cancels the session, tells nobody about it, and records the suppressed reminders', () => {
    const cancelled = of('session.cancelled', (e) => e.clientId === 'c-002');
    expect(cancelled.length).toBeGreaterThan(0);
    const ids = new Set(cancelled.map((e) => e.sessionId));
    expect(of('sms.sent', (e) => ids.has(e.sessionId))).toEqual([]);
    expect(
      of('sms.suppressed', (e) => ids.has(e.sessionId) && e.reason === 'cancelled').length,
    ).toBeGreaterThan(0);
  });

  it('sends nothing to a discharged client and cancels their coming sessions', () => {
    expect(of('sms.sent', (e) => e.clientId === 'c-001' && String(e.at) >= '2027-03-15T14:00:00Z')).toEqual(
      [],
    );
    expect(of('session.cancelled', (e) => e.clientId === 'c-001').length).toBeGreaterThan(0);
  });

  it('flags two misses in a row, escalates once when nobody acknowledges, and not when someone does', () => {
    const c5 = of('flag.raised', (e) => e.clientId === 'c-005' && e.rule === 'consecutive-misses');
    const c6 = of('flag.raised', (e) => e.clientId === 'c-006' && e.rule === 'consecutive-misses');
    expect(c5).toHaveLength(1);
    expect(c6).toHaveLength(1);
    expect(of('careteam.alert', (e) => e.reason === 'escalation' && e.flagId === c5[0]!.flagId)).toHaveLength(
      1,
    );
    expect(of('flag.acknowledged', (e) => e.flagId === c6[0]!.flagId)).toHaveLength(1);
    expect(of('careteam.alert', (e) => e.reason === 'escalation' && e.flagId === c6[0]!.flagId)).toEqual([]);
  });

  it('gives the all-clear when the client attends again', () => {
    const flag = of('flag.raised', (e) => e.clientId === 'c-006' && e.rule === 'consecutive-misses')[0]!;
    const resolved = of('flag.resolved', (e) => e.flagId === flag.flagId);
    expect(resolved).toEqual([expect.objectContaining({ reason: 're-engaged' })]);
    expect(of('careteam.alert', (e) => e.reason === 'all-clear' && e.flagId === flag.flagId)).toHaveLength(1);
  });
});
