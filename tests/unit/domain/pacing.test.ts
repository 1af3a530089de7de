import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identityFor, type PacedMessage, planPacedSends } from '../../../functions/domain/pacing.ts';

const at = (seconds: number) => new Date(Date.UTC(2027, 0, 11, 13, 0, 0) + seconds * 1000).toISOString();

const messages = fc.uniqueArray(
  fc.record({
    key: fc.string({ minLength: 1, maxLength: 6 }),
    due: fc.integer({ min: 0, max: 300 }),
    window: fc.integer({ min: 0, max: 7200 }),
  }),
  { selector: (m) => m.key, maxLength: 120 },
);
const toMessages = (ms: { key: string; due: number; window: number }[]): PacedMessage[] =>
  ms.map((m) => ({ key: m.key, dueAt: at(m.due), cutoff: at(m.due + m.window) }));

describe('planPacedSends: earliest deadline first at the identity rate', () => {
  it('sends every message once, never before it is due, never faster than the rate per identity', () => {
    fc.assert(
      fc.property(
        messages,
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 3 }),
        (ms, rate, pool) => {
          const input = toMessages(ms);
          const plan = planPacedSends(input, { perSecond: rate, identities: pool });
          expect(plan.map((p) => p.key).sort()).toEqual(input.map((m) => m.key).sort());
          const due = new Map(input.map((m) => [m.key, m.dueAt]));
          for (const p of plan) expect(p.sendAt >= due.get(p.key)!).toBe(true);
          for (let identity = 0; identity < pool; identity++) {
            const times = plan.filter((p) => p.identity === identity).map((p) => Date.parse(p.sendAt));
            times.sort((a, b) => a - b);
            for (let i = 1; i < times.length; i++)
              // instants are whole milliseconds: a slot's send may round up by under 1 ms
              expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000 / rate - 1);
          }
        },
      ),
    );
  });

  it('goes earliest deadline first among what is due: a reminder before a notice of the same minute', () => {
    const burst: PacedMessage[] = [
      ...Array.from({ length: 40 }, (_, i) => ({ key: `notice-${i}`, dueAt: at(0), cutoff: at(4 * 3600) })),
      ...Array.from({ length: 40 }, (_, i) => ({ key: `reminder-${i}`, dueAt: at(0), cutoff: at(1800) })),
    ];
    const plan = planPacedSends(burst, { perSecond: 20 });
    expect(plan.slice(0, 40).every((p) => p.key.startsWith('reminder-'))).toBe(true);
    expect(Math.max(...plan.map((p) => p.latenessSeconds))).toBeCloseTo(79 / 20, 5);
    expect(plan.some((p) => p.late)).toBe(false);
  });

  it('spreads a burst over a pool: n identities drain it n times faster', () => {
    const burst = Array.from({ length: 600 }, (_, i) => ({ key: `m-${i}`, dueAt: at(0), cutoff: at(3600) }));
    const one = Math.max(...planPacedSends(burst, { perSecond: 3 }).map((p) => p.latenessSeconds));
    const three = Math.max(
      ...planPacedSends(burst, { perSecond: 3, identities: 3 }).map((p) => p.latenessSeconds),
    );
    expect(one).toBeCloseTo(599 / 3, 2);
    expect(three).toBeCloseTo(199 / 3, 2);
  });

  it('marks what would go out after its cut-off, and refuses a rate that is not positive', () => {
    const plan = planPacedSends(
      [
        { key: 'a', dueAt: at(0), cutoff: at(0) },
        { key: 'b', dueAt: at(0), cutoff: at(0) },
      ],
      { perSecond: 1 },
    );
    expect(plan.map((p) => p.late)).toEqual([false, true]);
    expect(() => planPacedSends([], { perSecond: 0 })).toThrow(RangeError);
  });
});

describe('identityFor: a client stays on one number of the pool', () => {
  const phones = Array.from({ length: 6000 }, (_, i) => `+1202${String(5550000 + i)}`);
  const pool = ['+18005550100', '+18005550101', '+18005550102', '+18005550103', '+18005550104'];

  it('is the same every time, and none without a pool', () => {
    expect(phones.slice(0, 50).map((p) => identityFor(p, pool))).toEqual(
      phones.slice(0, 50).map((p) => identityFor(p, [...pool].reverse())),
    );
    expect(identityFor(phones[0]!, [])).toBeUndefined();
  });

  it('spreads clients evenly over the pool (each within 15 % of its share)', () => {
    const counts = new Map<string, number>();
    for (const p of phones) counts.set(identityFor(p, pool)!, (counts.get(identityFor(p, pool)!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(pool);
    for (const n of counts.values())
      expect(Math.abs(n - phones.length / pool.length)).toBeLessThan(0.15 * (phones.length / pool.length));
  });

  it('adding a number moves only the clients it takes (about 1 in n + 1); removing one moves only its own', () => {
    const grown = [...pool, '+18005550105'];
    const moved = phones.filter((p) => identityFor(p, pool) !== identityFor(p, grown));
    expect(moved.every((p) => identityFor(p, grown) === '+18005550105')).toBe(true);
    expect(moved.length / phones.length).toBeGreaterThan(0.1);
    expect(moved.length / phones.length).toBeLessThan(0.23);
    const shrunk = pool.filter((n) => n !== '+18005550102');
    const movedOff = phones.filter((p) => identityFor(p, pool) !== identityFor(p, shrunk));
    expect(movedOff.every((p) => identityFor(p, pool) === '+18005550102')).toBe(true);
  });
});
