import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAYS } from '../../../functions/domain/common.schema.ts';
import { planWeek } from '../../../functions/domain/schedule.ts';
import type { Session } from '../../../functions/domain/session.schema.ts';
import { localTimeOf, minutesOfDay } from '../../../functions/domain/zoned-time.ts';
import { aClient, aClinician, aProgram } from '../../support/fixtures.ts';

const groupTimes = (sessions: Session[], zone: string) =>
  sessions.filter((s) => s.kind === 'group').map((s) => [s.date, localTimeOf(s.start, zone)]);

describe('weekly schedule: group sessions', () => {
  it.each([
    ['America/New_York', '2027-W10', '2027-W11', '2027-03-14'],
    ['Europe/London', '2027-W43', '2027-W44', '2027-10-31'],
    ['Australia/Sydney', '2027-W13', '2027-W14', '2027-04-04'],
  ])('keeps group sessions at the same local time across the DST change in %s', (timezone, before, after) => {
    const program = aProgram({ timezone });
    const clients = [
      aClient({ start: '2027-01-04', track: 'evening' }),
      aClient({ id: 'c-002', track: 'morning' }),
    ];
    for (const week of [before, after]) {
      const plan = planWeek({ program, clinicians: [aClinician()], clients, week });
      const times = groupTimes(plan.sessions, timezone);
      expect(times.length).toBe(6);
      for (const [, time] of times) expect(['09:00', '18:00']).toContain(time);
      for (const s of plan.sessions) expect(s.start).toMatch(/Z$/);
    }
    // the UTC instants differ across the change, so the local time is what is kept
    const utcHour = (week: string) =>
      planWeek({ program, clinicians: [aClinician()], clients, week })
        .sessions.find((s) => s.kind === 'group' && s.clientId === 'c-002')!
        .start.slice(11, 16);
    expect(utcHour(before)).not.toBe(utcHour(after));
  });

  it('schedules nothing on a closure date and reports the short week', () => {
    const program = aProgram({ closures: ['2027-01-05'] });
    const plan = planWeek({ program, clinicians: [aClinician()], clients: [aClient()], week: '2027-W01' });
    expect(plan.sessions.map((s) => s.date)).not.toContain('2027-01-05');
    // evening track: MON, THU only (2 x 3 h) + 1 h individual = 7 h < 9 h
    expect(plan.shortfalls).toEqual([
      { programId: 'sunrise', clientId: 'c-001', week: '2027-W01', hours: 7, minimum: 9 },
    ]);
  });

  it('uses the adolescent minimum of 6 hours', () => {
    const program = aProgram({ closures: ['2027-01-05'] });
    const plan = planWeek({
      program,
      clinicians: [aClinician()],
      clients: [aClient({ adolescent: true })],
      week: '2027-W01',
    });
    expect(plan.shortfalls).toEqual([]);
  });

  it('starts a client on their start date and skips clients who left', () => {
    const program = aProgram();
    const plan = planWeek({
      program,
      clinicians: [aClinician()],
      clients: [aClient({ start: '2027-01-06' }), aClient({ id: 'c-002', status: 'discharged' })],
      week: '2027-W01',
    });
    expect(plan.sessions.every((s) => s.date >= '2027-01-06')).toBe(true);
    expect(plan.sessions.some((s) => s.clientId === 'c-002')).toBe(false);
  });

  it('gives the same ids when the same week is generated again, and keeps stored sessions', () => {
    const input = { program: aProgram(), clinicians: [aClinician()], clients: [aClient()], week: '2027-W01' };
    const first = planWeek(input);
    const again = planWeek({ ...input, existing: first.sessions });
    expect(again.created).toEqual([]);
    expect(again.sessions.map((s) => s.sessionId)).toEqual(first.sessions.map((s) => s.sessionId));
  });

  it('generates nothing before notBefore (a client enrolled mid-week)', () => {
    const plan = planWeek({
      program: aProgram(),
      clinicians: [aClinician()],
      clients: [aClient()],
      week: '2027-W01',
      notBefore: '2027-01-06T00:00:00Z',
    });
    expect(plan.created.every((s) => s.start >= '2027-01-06T00:00:00Z')).toBe(true);
  });
});

describe('weekly schedule: individual and family sessions', () => {
  it('places the individual session inside availability and outside busy hours', () => {
    const program = aProgram({ timezone: 'America/Chicago' });
    const clinician = aClinician('dr-park', [{ days: ['MON', 'WED'], start: '13:00', end: '17:30' }]);
    const client = aClient({
      clinicianId: 'dr-park',
      busy: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '08:00', end: '16:30' }],
    });
    const plan = planWeek({ program, clinicians: [clinician], clients: [client], week: '2027-W01' });
    const individual = plan.sessions.find((s) => s.kind === 'individual')!;
    expect(individual.date).toBe('2027-01-04');
    expect(localTimeOf(individual.start, 'America/Chicago')).toBe('16:30');
    expect(localTimeOf(individual.end, 'America/Chicago')).toBe('17:30');
    expect(individual.clinicianId).toBe('dr-park');
  });

  it('explains why when no slot exists instead of leaving a silent gap', () => {
    const clinician = aClinician('dr-lee', [{ days: ['SAT'], start: '10:00', end: '10:30' }]);
    const plan = planWeek({
      program: aProgram(),
      clinicians: [clinician],
      clients: [aClient()],
      week: '2027-W01',
    });
    expect(plan.unplaced).toEqual([
      expect.objectContaining({
        clientId: 'c-001',
        kind: 'individual',
        reason: expect.stringContaining('no 60-minute slot'),
      }),
    ]);
  });

  it('uses the phase policy when the client has a phase', () => {
    const program = aProgram({ phases: [{ id: 'step-down', individual: { perWeek: 2, minutes: 45 } }] });
    const plan = planWeek({
      program,
      clinicians: [aClinician()],
      clients: [aClient({ phase: 'step-down' })],
      week: '2027-W01',
    });
    const individual = plan.sessions.filter((s) => s.kind === 'individual');
    expect(individual).toHaveLength(2);
    expect(new Set(individual.map((s) => s.date)).size).toBe(2);
  });

  it('schedules a family session every N weeks for clients with a family contact', () => {
    const program = aProgram({ family: { everyWeeks: 2, minutes: 60 } });
    const client = aClient({ familyContact: { relationship: 'parent' } });
    const kinds = (week: string) =>
      planWeek({ program, clinicians: [aClinician()], clients: [client], week }).sessions.filter(
        (s) => s.kind === 'family',
      ).length;
    expect([kinds('2027-W01'), kinds('2027-W02'), kinds('2027-W03')]).toEqual([1, 0, 1]);
  });

  it('never double-books a clinician or a client, and respects availability and busy hours', () => {
    const window = fc
      .record({
        days: fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 5 }),
        from: fc.integer({ min: 7 * 4, max: 18 * 4 }),
        length: fc.integer({ min: 4, max: 24 }),
      })
      .map(({ days, from, length }) => ({
        days,
        start: `${String(Math.floor(from / 4)).padStart(2, '0')}:${String((from % 4) * 15).padStart(2, '0')}`,
        end: `${String(Math.floor(Math.min(from + length, 95) / 4)).padStart(2, '0')}:${String((Math.min(from + length, 95) % 4) * 15).padStart(2, '0')}`,
      }));
    fc.assert(
      fc.property(
        fc.array(fc.array(window, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.record({
            track: fc.constantFrom('morning', 'evening'),
            clinician: fc.nat(),
            busy: fc.array(window, { maxLength: 2 }),
            perWeek: fc.integer({ min: 1, max: 3 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.constantFrom('America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata'),
        (availabilities, clientSpecs, timezone) => {
          const clinicians = availabilities.map((a, i) => aClinician(`dr-${i}`, a));
          const program = aProgram({ timezone, individual: { perWeek: 2, minutes: 50 } });
          const clients = clientSpecs.map((spec, i) =>
            aClient({
              id: `c-${i}`,
              track: spec.track,
              clinicianId: `dr-${spec.clinician % clinicians.length}`,
              busy: spec.busy,
            }),
          );
          const plan = planWeek({ program, clinicians, clients, week: '2027-W11' });
          const active = plan.sessions.filter((s) => s.status !== 'cancelled');
          for (const [i, a] of active.entries()) {
            for (const b of active.slice(i + 1)) {
              const overlap = a.start < b.end && b.start < a.end;
              if (!overlap) continue;
              expect(a.clientId === b.clientId, `client ${a.clientId} double-booked`).toBe(false);
              if (a.clinicianId && b.clinicianId) expect(a.clinicianId).not.toBe(b.clinicianId);
            }
          }
          for (const s of active.filter((x) => x.kind === 'individual')) {
            const clinician = clinicians.find((c) => c.id === s.clinicianId)!;
            const client = clients.find((c) => c.id === s.clientId)!;
            const from = minutesOfDay(localTimeOf(s.start, timezone));
            const to = from + 50;
            const weekday =
              DAYS[
                new Date(`${s.date}T12:00:00Z`).getUTCDay() === 0
                  ? 6
                  : new Date(`${s.date}T12:00:00Z`).getUTCDay() - 1
              ];
            expect(
              clinician.availability.some(
                (w) =>
                  w.days.includes(weekday!) && minutesOfDay(w.start) <= from && to <= minutesOfDay(w.end),
              ),
            ).toBe(true);
            expect(
              client.busy.some(
                (w) => w.days.includes(weekday!) && from < minutesOfDay(w.end) && minutesOfDay(w.start) < to,
              ),
            ).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
