import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DRAW_ALGORITHM,
  type DrawInput,
  type DrawRecord,
  DrawStream,
  drawIdFor,
  drawRecordSchema,
  drawScreens,
  newSeed,
  uniformIntFrom,
  verifyDraw,
} from '../../../functions/domain/screening.ts';

// Upper 0.1% points of the chi-square distribution (NIST/SEMATECH e-Handbook of Statistical
// Methods, table 1.3.6.7.4, and scipy.stats.chi2.ppf(0.999, df)).
const CHI2_CRITICAL_P001 = { df6: 22.458, df22: 48.268 };

function chiSquare(observed: number[], expected: number): number {
  return observed.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c-${String(i + 1).padStart(3, '0')}`);
const fixedSeed = 'ab'.repeat(32);
const policy = { rate: 0.2, minPerWeek: 1 };

function anInput(overrides: Partial<DrawInput> = {}): DrawInput {
  return {
    seed: fixedSeed,
    pool: ids(10),
    policy,
    selectedThisWeek: {},
    // every client has a later draw day, so only random picks unless a test says otherwise
    remainingDrawDaysWithSession: Object.fromEntries(ids(10).map((id) => [id, 2])),
    ...overrides,
  };
}

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const poolArb = fc.uniqueArray(fc.stringMatching(/^c-[a-z0-9]{1,6}$/), { minLength: 0, maxLength: 40 });

describe('draw stream', () => {
  it('follows the documented HMAC-SHA-256 counter construction (known answer from openssl)', () => {
    // openssl dgst -sha256 -mac HMAC -macopt hexkey:abab…ab over the 8-byte big-endian counters 0 and 1
    const stream = new DrawStream(fixedSeed);
    const firstBlock = Array.from({ length: 8 }, () => stream.nextUint32());
    expect(firstBlock[0]).toBe(0xe1a5607f);
    expect(firstBlock[1]).toBe(0xbbbd07b8);
    expect(firstBlock[7]).toBe(0xf324399b);
    expect(stream.nextUint32()).toBe(0x431edf1a);
  });

  it('draws uniformInt(7) without modulo bias (chi-square, p = 0.001, 70,000 samples)', () => {
    const stream = new DrawStream(newSeed(randomBytes));
    const counts = new Array<number>(7).fill(0);
    const samples = 70_000;
    for (let i = 0; i < samples; i++) counts[stream.uniformInt(7)]! += 1;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(samples); // every value landed in [0, 7)
    expect(chiSquare(counts, samples / 7)).toBeLessThan(CHI2_CRITICAL_P001.df6);
  });

  it('rejects a uint32 at or above floor(2^32 / n) × n and draws again', () => {
    const limit = Math.floor(2 ** 32 / 7) * 7; // 4294967292
    const source = (values: number[]) => {
      let calls = 0;
      return { next: () => values[calls++]!, calls: () => calls };
    };
    const all = source([0xffffffff, limit, 10]);
    expect(uniformIntFrom(all.next, 7)).toBe(10 % 7);
    expect(all.calls()).toBe(3);
    const justBelow = source([limit - 1]);
    expect(uniformIntFrom(justBelow.next, 7)).toBe((limit - 1) % 7);
    expect(justBelow.calls()).toBe(1);
  });

  it('refuses a seed that is not 256 bits of hex', () => {
    expect(() => new DrawStream('abc')).toThrow(/64 lowercase hex/);
  });
});

describe('drug-screen draw', () => {
  it('gives every client in the pool the same chance (chi-square, p = 0.001, 10,000 draws of 23)', () => {
    const pool = ids(23);
    const counts = new Map(pool.map((id) => [id, 0]));
    const draws = 10_000;
    let selected = 0;
    for (let i = 0; i < draws; i++) {
      const { selections } = drawScreens({
        seed: newSeed(randomBytes),
        pool,
        policy,
        selectedThisWeek: {},
        remainingDrawDaysWithSession: Object.fromEntries(pool.map((id) => [id, 1])),
      });
      for (const s of selections) counts.set(s.clientId, counts.get(s.clientId)! + 1);
      selected += selections.length;
    }
    expect(selected).toBe(draws * Math.round(0.2 * 23));
    expect(chiSquare([...counts.values()], selected / pool.length)).toBeLessThan(CHI2_CRITICAL_P001.df22);
  });

  it('selects round(rate × poolSize) distinct clients from the pool', () => {
    fc.assert(
      fc.property(seedArb, poolArb, fc.double({ min: 0, max: 1, noNaN: true }), (seed, pool, rate) => {
        const result = drawScreens({
          seed,
          pool,
          policy: { rate, minPerWeek: 0 },
          selectedThisWeek: {},
          remainingDrawDaysWithSession: {},
        });
        const chosen = result.selections.map((s) => s.clientId);
        expect(result.randomCount).toBe(Math.round(rate * pool.length));
        expect(chosen.length).toBe(result.randomCount);
        expect(new Set(chosen).size).toBe(chosen.length);
        for (const id of chosen) expect(pool).toContain(id);
      }),
    );
  });

  it('gives the same selection for the same seed', () => {
    fc.assert(
      fc.property(seedArb, poolArb, (seed, pool) => {
        const input = anInput({ seed, pool, remainingDrawDaysWithSession: {} });
        expect(drawScreens(input)).toEqual(drawScreens(structuredClone(input)));
      }),
    );
  });

  it('does not depend on the order (or duplicates) of the pool it is given', () => {
    fc.assert(
      fc.property(seedArb, poolArb, fc.array(fc.nat()), (seed, pool, keys) => {
        const shuffled = pool
          .map((id, i) => ({ id, key: keys[i] ?? i }))
          .sort((a, b) => a.key - b.key)
          .map(({ id }) => id);
        const a = drawScreens(anInput({ seed, pool }));
        const b = drawScreens(anInput({ seed, pool: [...shuffled, ...shuffled.slice(0, 3)] }));
        expect(b).toEqual(a);
        expect(a.pool).toEqual([...new Set(pool)].sort());
      }),
    );
  });

  it('makes a new 256-bit seed for each draw', () => {
    const a = newSeed(randomBytes);
    const b = newSeed(randomBytes);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it('adds a client who would end the week under the minimum, and not one with a later draw day', () => {
    const input = anInput({
      pool: ['c-late', 'c-last-chance', 'c-done'],
      policy: { rate: 0, minPerWeek: 1 },
      selectedThisWeek: { 'c-done': 1 },
      remainingDrawDaysWithSession: { 'c-late': 1 },
    });
    expect(drawScreens(input).selections).toEqual([{ clientId: 'c-last-chance', reason: 'minimum' }]);
  });

  it('adds a client now when their later draw days are too few for the minimum', () => {
    const input = anInput({
      pool: ['c-001', 'c-002'],
      policy: { rate: 0, minPerWeek: 2 },
      selectedThisWeek: { 'c-002': 1 },
      remainingDrawDaysWithSession: { 'c-001': 1, 'c-002': 1 },
    });
    expect(drawScreens(input).selections).toEqual([{ clientId: 'c-001', reason: 'minimum' }]);
  });

  it('lists random picks in draw order, then minimum picks by id, never a client twice', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const pool = ids(10);
        const { selections, randomCount } = drawScreens(
          anInput({ seed, pool, policy: { rate: 0.3, minPerWeek: 1 }, remainingDrawDaysWithSession: {} }),
        );
        expect(randomCount).toBe(3);
        expect(selections.slice(0, 3).every((s) => s.reason === 'random')).toBe(true);
        const minimum = selections.slice(3);
        expect(minimum.every((s) => s.reason === 'minimum')).toBe(true);
        expect(minimum.map((s) => s.clientId)).toEqual(minimum.map((s) => s.clientId).sort());
        expect(selections.map((s) => s.clientId).sort()).toEqual(pool);
      }),
    );
  });

  it('never selects a client already at maxPerWeek, and sizes the draw on the rest', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const pool = ids(10);
        const capped = { 'c-001': 2, 'c-002': 2, 'c-003': 3 };
        const result = drawScreens(
          anInput({
            seed,
            pool,
            policy: { rate: 0.5, minPerWeek: 3, maxPerWeek: 2 },
            selectedThisWeek: { ...capped, 'c-004': 1 },
            remainingDrawDaysWithSession: {},
          }),
        );
        expect(result.randomCount).toBe(Math.round(0.5 * 7));
        for (const id of Object.keys(capped)) {
          expect(result.selections.map((s) => s.clientId)).not.toContain(id);
        }
      }),
    );
  });
});

describe('draw record', () => {
  const honest = (): DrawRecord => {
    const pool = ids(23);
    const input = anInput({
      seed: newSeed(randomBytes),
      pool,
      remainingDrawDaysWithSession: Object.fromEntries(pool.map((id) => [id, 1])),
    });
    const result = drawScreens(input);
    return {
      programId: 'iop-north',
      date: '2027-01-04',
      drawId: drawIdFor('iop-north', '2027-01-04'),
      algorithm: DRAW_ALGORITHM,
      seed: input.seed,
      pool: result.pool,
      policy: input.policy,
      selectedThisWeek: input.selectedThisWeek,
      remainingDrawDaysWithSession: input.remainingDrawDaysWithSession,
      selections: result.selections,
      drawnAt: '2027-01-04T11:00:00Z',
    };
  };

  it('replays an honest record to the same selections', () => {
    const record = honest();
    expect(drawRecordSchema.parse(record)).toEqual(record);
    expect(verifyDraw(record)).toBe(true);
  });

  it('fails verification when a selection was altered', () => {
    const record = honest();
    const first = record.selections[0]!;
    const outsider = record.pool.find((id) => !record.selections.some((s) => s.clientId === id))!;
    expect(
      verifyDraw({
        ...record,
        selections: [{ ...first, clientId: outsider }, ...record.selections.slice(1)],
      }),
    ).toBe(false);
    expect(verifyDraw({ ...record, selections: record.selections.slice(1) })).toBe(false);
    expect(verifyDraw({ ...record, selections: [...record.selections].reverse() })).toBe(false);
  });

  it('fails verification when the pool was altered', () => {
    const record = { ...honest(), seed: fixedSeed };
    record.selections = drawScreens(record).selections;
    expect(verifyDraw(record)).toBe(true);
    const notSelected = record.pool.filter((id) => !record.selections.some((s) => s.clientId === id));
    // removing a client changes the draw size (round(0.2 × 22) = 4, not 5)
    expect(verifyDraw({ ...record, pool: record.pool.filter((id) => id !== notSelected[0]) })).toBe(false);
    // adding a client (with no later draw day) changes the draw
    expect(verifyDraw({ ...record, pool: [...record.pool, 'c-999'] })).toBe(false);
    // a record whose pool is not in canonical order is not the pool the draw used
    expect(verifyDraw({ ...record, pool: [...record.pool].reverse() })).toBe(false);
  });

  it('fails verification under another algorithm or a malformed seed', () => {
    const record = honest();
    expect(verifyDraw({ ...record, algorithm: 'mt19937/v0' })).toBe(false);
    expect(verifyDraw({ ...record, seed: 'not-a-seed' })).toBe(false);
  });

  it('names one draw per program and local date, usable as a scheduler-safe id', () => {
    const id = drawIdFor('a'.repeat(40), '2027-01-04');
    expect(id).toBe(drawIdFor('a'.repeat(40), '2027-01-04'));
    expect(id).toMatch(/^[0-9a-zA-Z_.-]{1,64}$/);
    expect(drawIdFor('iop-north', '2027-01-05')).not.toBe(drawIdFor('iop-north', '2027-01-04'));
  });

  it('rejects a stored record with an unsorted pool or a short seed, naming the field', () => {
    const record = honest();
    const bad = drawRecordSchema.safeParse({ ...record, pool: [...record.pool].reverse(), seed: 'ab' });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['pool', 'seed']));
  });
});
