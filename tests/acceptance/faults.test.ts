import { beforeAll, describe, expect, it } from 'vitest';
import { addMinutes, minutesBetween } from '../../functions/domain/zoned-time.ts';
import { FAULT_PORTS } from '../../local/adapters/fault-injector.ts';
import type { StampedEvent } from '../../local/adapters/recording-activity-log.ts';
import type { Scenario } from '../../local/simulator/scenario.schema.ts';
import { lateOutcomes, outcomeCounts, outcomes } from './outcomes.ts';
import { readScenario, runScenarioData, specViolations } from './run-scenario.ts';

type Run = Awaited<ReturnType<typeof runScenarioData>>;

describe('scenario faults-every-port.json', () => {
  const scenario = readScenario('scenarios/faults-every-port.json');
  const withoutFaults: Scenario = {
    ...scenario,
    actions: scenario.actions.filter((a) => a.type !== 'fault'),
  };
  let faulty: Run;
  let clean: Run;
  const of = (run: Run, type: string, where: (e: StampedEvent) => boolean = () => true) =>
    run.events.filter((e) => e.type === type && where(e));
  beforeAll(async () => {
    clean = await runScenarioData(withoutFaults);
    faulty = await runScenarioData(scenario);
  });

  it('without its faults: keeps every rule of the scenario spec, with no failed job', () => {
    expect(clean.jobErrors).toEqual([]);
    expect(of(clean, 'job.failed')).toEqual([]);
    expect(specViolations(withoutFaults, clean.events)).toEqual({});
  });

  it('moves sessions: reminders, check-ins, absences and misses follow the new start', () => {
    for (const run of [clean, faulty]) {
      const moved = of(run, 'session.rescheduled');
      expect(moved).toHaveLength(4);
      const byClient = new Map(moved.map((e) => [e.clientId, e]));
      // c-004: Thu 18:00 moved on Wed 19:00, after its 24-hour reminder, to Fri 10:00
      const c4 = byClient.get('c-004')!;
      expect(c4.start).toBe('2026-04-10T14:00:00Z');
      const c4Reminders = of(
        run,
        'sms.sent',
        (e) => e.sessionId === c4.sessionId && e.purpose === 'reminder',
      );
      expect(c4Reminders.map((e) => [e.offsetMinutes, e.at])).toEqual([
        [1440, '2026-04-08T22:00:00Z'], // for the old start, before the move
        [1440, expect.stringMatching(/^2026-04-09T14:(0\d|1[0-5]):00Z$/)], // again, for the new one
        [120, expect.stringMatching(/^2026-04-10T12:(0\d|1[0-5]):00Z$/)],
      ]);
      // the check-in follows: none at the old start, one at the new
      const c4Attendance = of(run, 'attendance.recorded', (e) => e.sessionId === c4.sessionId);
      expect(c4Attendance.map((e) => [e.at, e.status])).toEqual([['2026-04-10T14:00:00Z', 'present']]);
      // c-008 is absent on Wed 04-15, but that session moved to Thu: attended, not missed
      const c8 = byClient.get('c-008')!;
      expect(of(run, 'session.missed', (e) => e.sessionId === c8.sessionId)).toEqual([]);
      expect(of(run, 'attendance.recorded', (e) => e.sessionId === c8.sessionId)).toEqual([
        expect.objectContaining({ at: '2026-04-16T18:00:00Z', status: 'present' }),
      ]);
      // c-001's Wed session moved to Thu 10:00, a date c-001 is absent: missed at 10:20
      const c1 = byClient.get('c-001')!;
      const c1Missed = of(run, 'session.missed', (e) => e.sessionId === c1.sessionId);
      expect(c1Missed.map((e) => e.at)).toEqual(['2026-04-16T14:20:00Z']);
    }
  });

  it('with faults: keeps every rule of the scenario spec, and no job gives up', () => {
    expect(faulty.jobErrors).toEqual([]);
    expect(specViolations(scenario, faulty.events)).toEqual({});
  });

  it('refuses calls on every port, at real work, and retries the failed jobs', () => {
    const armed = Object.fromEntries(
      FAULT_PORTS.map((port) => [
        port,
        scenario.actions.reduce((n, a) => (a.type === 'fault' && a.port === port ? n + a.count : n), 0),
      ]),
    );
    expect(faulty.faults.refused).toEqual(armed);
    expect(Object.values(faulty.faults.pending)).toEqual([0, 0, 0, 0]);
    const failed = of(faulty, 'job.failed');
    for (const port of FAULT_PORTS) {
      const refused = failed.filter((e) => (e.refusedCalls as Record<string, number> | undefined)?.[port]);
      expect(refused.length, `job.failed for ${port}`).toBeGreaterThan(0);
    }
    for (const e of failed) {
      expect(e).toMatchObject({
        target: expect.any(String),
        attempt: expect.any(Number),
        error: expect.any(String),
      });
      expect(JSON.stringify(e)).not.toMatch(/\+1\d{10}/); // ids only, no phone numbers
    }
  });

  it('sends, alerts, flags and draws the same as without the faults, at most 15 minutes later', () => {
    const withFaults = outcomes(faulty.events);
    const expected = outcomes(clean.events);
    expect(outcomeCounts(withFaults)).toEqual(outcomeCounts(expected));
    expect(lateOutcomes(withFaults, expected)).toEqual([]);
  });
});

describe('an SMS that is refused every time', () => {
  it('is tried 11 times a minute apart (its drainer run fails and is retried), then given up and reported', async () => {
    const base = readScenario('scenarios/basic-week.json');
    const scenario: Scenario = {
      ...base,
      actions: [...base.actions, { at: '2027-01-03T00:00', type: 'fault', port: 'sms', count: 100_000 }],
    };
    const run = await runScenarioData(scenario);
    const failed = run.events.filter((e) => e.type === 'job.failed');
    const chains = new Map<string, StampedEvent[]>();
    for (const e of failed) {
      const key = `${e.job} ${e.scheduledTime}`;
      chains.set(key, [...(chains.get(key) ?? []), e]);
    }
    expect(chains.size).toBeGreaterThan(0);
    for (const chain of chains.values()) {
      // A drainer's run fails while a message it took is refused, and is retried a minute later,
      // never given up (another run may take the message meanwhile: the chain ends early).
      expect(chain[0]!.target).toBe('drain-sms');
      expect(chain.map((e) => e.attempt)).toEqual(chain.map((_, i) => i + 1));
      expect(chain.length).toBeLessThanOrEqual(10);
      for (const [i, e] of chain.entries()) {
        if (i > 0) expect(minutesBetween(String(chain[i - 1]!.at), String(e.at))).toBe(1);
        expect(e.retryAt).toBe(addMinutes(String(e.at), 1));
      }
    }
    // Every message given up is reported as lost work, after its 11th attempt.
    expect(run.jobErrors.length).toBeGreaterThan(0);
    for (const e of run.jobErrors) {
      expect(e.target).toBe('drain-sms');
      expect(e.error).toMatch(/given up after 11 attempts/);
    }
    expect(run.events.filter((e) => e.type === 'sms.sent')).toEqual([]);
    // ... and the oracle sees the reminders that never went out.
    expect(specViolations(scenario, run.events).everyReminderOncePerStart ?? []).not.toEqual([]);
  });
});
