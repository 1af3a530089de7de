import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { entityIdSchema, localDateSchema, utcInstantSchema } from './common.schema.ts';
import { programSchema, type ScreeningPolicy, screeningPolicySchema } from './program.schema.ts';

/**
 * The random drug-screen draw (design invariant 6), pure so it can be replayed from its record.
 *
 * Construction, named by DRAW_ALGORITHM:
 * - seed: 256 bits from a cryptographic source (the caller's crypto.randomBytes), stored as 64 hex chars.
 * - stream (hmac-sha256-ctr): block i = HMAC-SHA-256(key = the 32 seed bytes, message = i as an
 *   8-byte big-endian unsigned integer), i = 0, 1, 2, …; the stream is the blocks concatenated.
 *   Read 4 bytes at a time as big-endian uint32.
 * - uniformInt(n): read uint32 x; with limit = floor(2^32 / n) × n, reject x ≥ limit and read
 *   again, else return x mod n. Every residue then has exactly floor(2^32 / n) preimages, so there
 *   is no modulo bias.
 * - selection (fisher-yates): pool ids de-duplicated and sorted by code unit; eligible = pool minus
 *   clients already at maxPerWeek; k = round(rate × |eligible|); for i = 0 … k−1 swap eligible[i]
 *   with eligible[i + uniformInt(|eligible| − i)]; the first k are the random picks, in that order.
 * - minimum: then every pool client not picked, not capped, with
 *   selectedThisWeek + remainingDrawDaysWithSession < minPerWeek, sorted by id.
 */
export const DRAW_ALGORITHM = 'hmac-sha256-ctr/fisher-yates/v1';

const SEED_BYTES = 32;
const TWO_POW_32 = 2 ** 32;
const seedPattern = /^[0-9a-f]{64}$/;

export const seedSchema = z
  .string()
  .regex(seedPattern, { error: 'expected a 256-bit seed as 64 lowercase hex characters' });

/** A fresh 256-bit seed; pass crypto.randomBytes (the domain does not reach for randomness itself). */
export function newSeed(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(SEED_BYTES);
  if (bytes.length !== SEED_BYTES)
    throw new Error(`randomBytes returned ${bytes.length} bytes, expected ${SEED_BYTES}`);
  return Buffer.from(bytes).toString('hex');
}

/**
 * An integer in [0, n) from a source of uint32s, by rejection sampling (see the construction above).
 * Exported apart from DrawStream so the rejection can be tested with a chosen source.
 */
export function uniformIntFrom(nextUint32: () => number, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32)
    throw new Error(`uniformInt needs an integer n in [1, 2^32], got ${n}`);
  const limit = Math.floor(TWO_POW_32 / n) * n;
  for (;;) {
    const x = nextUint32();
    if (x < limit) return x % n;
  }
}

/** The deterministic byte stream of a seed: HMAC-SHA-256 in counter mode. */
export class DrawStream {
  private readonly key: Buffer;
  private counter = 0n;
  private block: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(seed: string) {
    if (!seedPattern.test(seed)) throw new Error('seed: expected 64 lowercase hex characters (256 bits)');
    this.key = Buffer.from(seed, 'hex');
  }

  nextUint32(): number {
    if (this.offset + 4 > this.block.length) this.refill();
    const value = this.block.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uniformInt(n: number): number {
    return uniformIntFrom(() => this.nextUint32(), n);
  }

  private refill(): void {
    const message = Buffer.alloc(8);
    message.writeBigUInt64BE(this.counter);
    this.counter += 1n;
    this.block = createHmac('sha256', this.key).update(message).digest();
    // 32-byte blocks hold exactly eight uint32s, so a value never straddles two blocks.
    this.offset = 0;
  }
}

export type DrawPolicy = Pick<ScreeningPolicy, 'rate' | 'minPerWeek' | 'maxPerWeek'>;

export type DrawInput = {
  seed: string;
  pool: string[];
  policy: DrawPolicy;
  /** Times each client was already selected earlier this ISO week. */
  selectedThisWeek: Record<string, number>;
  /** Draw days later this ISO week (not today) on which the client has a session. */
  remainingDrawDaysWithSession: Record<string, number>;
};

export type DrawSelection = { clientId: string; reason: 'random' | 'minimum' };

export type DrawResult = { pool: string[]; selections: DrawSelection[]; randomCount: number };

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The pool as the draw sees it: unique and sorted, so the caller's order cannot change the result. */
export function normalisePool(pool: readonly string[]): string[] {
  return [...new Set(pool)].sort(byCodeUnit);
}

export function drawScreens(input: DrawInput): DrawResult {
  const { policy, selectedThisWeek, remainingDrawDaysWithSession } = input;
  const stream = new DrawStream(input.seed);
  const pool = normalisePool(input.pool);
  const selectedSoFar = (id: string) => selectedThisWeek[id] ?? 0;
  const capped = (id: string) => policy.maxPerWeek !== undefined && selectedSoFar(id) >= policy.maxPerWeek;

  // Without a cap, eligible is the pool, so this is the spec's round(rate × poolSize).
  const eligible = pool.filter((id) => !capped(id));
  const randomCount = Math.min(eligible.length, Math.round(policy.rate * eligible.length));

  for (let i = 0; i < randomCount; i++) {
    const j = i + stream.uniformInt(eligible.length - i);
    [eligible[i], eligible[j]] = [eligible[j]!, eligible[i]!];
  }
  const random = eligible.slice(0, randomCount);
  const picked = new Set(random);

  // Selected today or never again this week: a client whose later draw days cannot reach the
  // minimum is screened now. The cap still wins if a program sets minPerWeek above maxPerWeek.
  const minimum = pool.filter(
    (id) =>
      !picked.has(id) &&
      !capped(id) &&
      selectedSoFar(id) + (remainingDrawDaysWithSession[id] ?? 0) < policy.minPerWeek,
  );

  return {
    pool,
    selections: [
      ...random.map((clientId) => ({ clientId, reason: 'random' as const })),
      ...minimum.map((clientId) => ({ clientId, reason: 'minimum' as const })),
    ],
    randomCount,
  };
}

/** Replays a stored draw: true only if the seed, pool and inputs give exactly the stored selections. */
export function verifyDraw(record: DrawInput & { selections: DrawSelection[]; algorithm?: string }): boolean {
  if (record.algorithm !== undefined && record.algorithm !== DRAW_ALGORITHM) return false;
  if (!seedPattern.test(record.seed)) return false;
  const replay = drawScreens(record);
  const samePool =
    replay.pool.length === record.pool.length && replay.pool.every((id, i) => id === record.pool[i]);
  const sameSelections =
    replay.selections.length === record.selections.length &&
    replay.selections.every(
      (s, i) => s.clientId === record.selections[i]?.clientId && s.reason === record.selections[i]?.reason,
    );
  return samePool && sameSelections;
}

/** One draw per program and local date: a rerun finds this id and returns the stored draw. */
export function drawIdFor(programId: string, date: string): string {
  return `draw-${programId}-${date}`;
}

const countsSchema = z.record(entityIdSchema, z.number().int().min(0));

/** The audit record of a draw: everything needed to replay it with verifyDraw. */
export const drawRecordSchema = z.object({
  programId: programSchema.shape.id,
  date: localDateSchema,
  drawId: z
    .string()
    .regex(/^[0-9a-zA-Z_.-]{1,64}$/, { error: 'expected 1-64 characters of letters, digits, - _ .' }),
  algorithm: z.literal(DRAW_ALGORITHM),
  seed: seedSchema,
  pool: z
    .array(entityIdSchema)
    .refine((pool) => pool.every((id, i) => i === 0 || byCodeUnit(pool[i - 1]!, id) < 0), {
      error: 'expected unique client ids in sorted order',
    }),
  policy: z.object({
    rate: screeningPolicySchema.shape.rate.unwrap(),
    minPerWeek: screeningPolicySchema.shape.minPerWeek.unwrap(),
    maxPerWeek: screeningPolicySchema.shape.maxPerWeek,
  }),
  selectedThisWeek: countsSchema,
  remainingDrawDaysWithSession: countsSchema,
  selections: z.array(z.object({ clientId: entityIdSchema, reason: z.enum(['random', 'minimum']) })),
  drawnAt: utcInstantSchema,
  /**
   * When the notices go out, fixed with the draw so every run uses the same: at the draw, or when
   * quiet hours end, after that moment's reminders have gone (paced sending). Older draws lack it.
   */
  noticeAt: utcInstantSchema.optional(),
});
export type DrawRecord = z.infer<typeof drawRecordSchema>;
