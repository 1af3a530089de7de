import { randomBytes, randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import {
  DRAW_ALGORITHM,
  type DrawPolicy,
  type DrawRecord,
  drawIdFor,
  drawRecordSchema,
  drawScreens,
  newSeed,
  verifyDraw,
} from '../../functions/domain/screening.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';

const PROGRAM = 'sunrise';
const KB = 1024;

/** A draw as drawDay makes it: drawScreens over the pool and week counts, the record around it. */
function aDraw(
  date: string,
  pool: string[],
  policy: DrawPolicy,
  selectedThisWeek: Record<string, number>,
  remainingDrawDaysWithSession: Record<string, number>,
): DrawRecord {
  const seed = newSeed(randomBytes);
  const result = drawScreens({ seed, pool, policy, selectedThisWeek, remainingDrawDaysWithSession });
  return drawRecordSchema.parse({
    programId: PROGRAM,
    date,
    drawId: drawIdFor(PROGRAM, date),
    algorithm: DRAW_ALGORITHM,
    seed,
    pool: result.pool,
    policy,
    selectedThisWeek,
    remainingDrawDaysWithSession,
    selections: result.selections,
    drawnAt: `${date}T11:00:00Z`,
  });
}

/** A pool of n 36-character ids; a few clients drawn earlier in the week, some not in today's pool. */
function aPoolDraw(date: string, n: number, policy: DrawPolicy): DrawRecord {
  const pool = Array.from({ length: n }, () => randomUUID());
  const remaining = Object.fromEntries(pool.map((id, i) => [id, i % 3]));
  const selected: Record<string, number> = {};
  for (let i = 0; i < n; i += 7) selected[pool[i]!] = 1;
  for (let i = 0; i < Math.ceil(n / 10); i++) selected[randomUUID()] = 1 + (i % 2);
  return aDraw(date, pool, policy, selected, remaining);
}

type StoredItem = {
  pk: string;
  sk: string;
  attempt?: string;
  chunkCount?: number;
  rows?: unknown[];
} & Record<string, unknown>;

const jsonBytes = (item: unknown) => Buffer.byteLength(JSON.stringify(item), 'utf8');

describe('a draw of any pool size stays far below the 400 KB item limit (DynamoDB Local)', () => {
  let env: Awaited<ReturnType<typeof freshTable>>;
  let big: DrawRecord;
  beforeAll(async () => {
    env = await freshTable();
    big = aPoolDraw('2027-01-04', 20_000, { rate: 1, minPerWeek: 1 });
  });

  /** Every item in the draw's partition, straight from the document client (all pages). */
  async function storedItems(date: string) {
    const items: StoredItem[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await env.doc.send(
        new QueryCommand({
          TableName: env.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.draw(PROGRAM, date).pk },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      items.push(...((page.Items ?? []) as StoredItem[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  it('round-trips a 20,000-client pool with 20,000 selections; every item is below 100 KB', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    expect(big.pool).toHaveLength(20_000);
    expect(big.selections).toHaveLength(20_000);

    expect(await deps.screening.createDraw(big)).toBe(true);
    expect(await deps.screening.getDraw(PROGRAM, big.date)).toEqual(big);

    const items = await storedItems(big.date);
    const header = items.find((item) => item.sk === 'DRAW')!;
    const chunks = items.filter((item) => item.sk !== 'DRAW');
    expect(header).toMatchObject({ poolSize: 20_000, selectedCount: 20_000, chunkCount: chunks.length });
    expect(header.pool).toBeUndefined();
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.sk).toMatch(new RegExp(`^CHUNK#${header.attempt}#\\d{4}$`));
      expect(chunk.rows!.length).toBeLessThanOrEqual(1000);
      expect(chunk.gsi1pk).toBeUndefined();
      expect(chunk.gsi1sk).toBeUndefined();
    }
    const sizes = items.map(jsonBytes);
    const largest = Math.max(...sizes);
    const singleItem = jsonBytes({ ...keys.draw(PROGRAM, big.date), entity: 'draw', ...big });
    console.log(
      `20,000-client pool, rate 1: ${items.length} items (header ${jsonBytes(header)} B, ` +
        `${chunks.length} chunks); largest item ${largest} B (${(largest / KB).toFixed(1)} KB); ` +
        `as one item it would be ${singleItem} B (${(singleItem / KB).toFixed(1)} KB)`,
    );
    expect(largest).toBeLessThan(100 * KB);
    expect(singleItem).toBeGreaterThan(400 * KB);
    expect(verifyDraw((await deps.screening.getDraw(PROGRAM, big.date))!)).toBe(true);
  });

  it('writes a date once: a second draw gets false, the first stays, the loser leaves no chunks', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    const other = aPoolDraw(big.date, 2_500, { rate: 0.5, minPerWeek: 1 });
    expect(await deps.screening.createDraw(other)).toBe(false);
    expect(await deps.screening.getDraw(PROGRAM, big.date)).toEqual(big);

    const items = await storedItems(big.date);
    const header = items.find((item) => item.sk === 'DRAW')!;
    expect(items.filter((item) => item.sk !== 'DRAW').map((item) => item.sk.split('#')[1])).toEqual(
      Array(header.chunkCount).fill(header.attempt),
    );
  });

  it('racing writers: exactly one wins and its draw is the one read back', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    const racers = Array.from({ length: 4 }, () =>
      aPoolDraw('2027-01-11', 3_000, { rate: 0.3, minPerWeek: 1 }),
    );
    const results = await Promise.all(racers.map((draw) => deps.screening.createDraw(draw)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = racers[results.indexOf(true)]!;
    expect(await deps.screening.getDraw(PROGRAM, '2027-01-11')).toEqual(winner);
  });

  it('verifyDraw replays a realistic stored draw; listDraws returns full records from headers only', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    const policy = { rate: 0.1, minPerWeek: 1, maxPerWeek: 2 };
    const pool = Array.from({ length: 1_500 }, () => randomUUID());
    const earlier = Object.fromEntries(pool.slice(0, 300).map((id, i) => [id, i % 3]));
    for (let i = 0; i < 40; i++) earlier[randomUUID()] = 1;
    const remaining = Object.fromEntries(pool.map((id, i) => [id, i % 2]));
    const realistic = aDraw('2027-01-05', pool, policy, earlier, remaining);
    expect(realistic.selections.some((s) => s.reason === 'minimum')).toBe(true);
    expect(realistic.selections.some((s) => s.reason === 'random')).toBe(true);
    const empty = aDraw('2027-01-06', [], { rate: 0.2, minPerWeek: 1 }, {}, {});

    expect(await deps.screening.createDraw(realistic)).toBe(true);
    expect(await deps.screening.createDraw(empty)).toBe(true);
    const stored = (await deps.screening.getDraw(PROGRAM, realistic.date))!;
    expect(stored).toEqual(realistic);
    expect(verifyDraw(stored)).toBe(true);
    expect(verifyDraw({ ...stored, selections: stored.selections.slice(1) })).toBe(false);
    expect(await deps.screening.getDraw(PROGRAM, empty.date)).toEqual(empty);

    const listed = await deps.screening.listDraws(PROGRAM, '2027-01-04', '2027-01-06');
    expect(listed.map((d) => d.date)).toEqual(['2027-01-04', '2027-01-05', '2027-01-06']);
    expect(listed).toEqual([big, realistic, empty]);
    expect(await deps.screening.listDraws(PROGRAM, '2027-01-05', '2027-01-05')).toEqual([realistic]);

    const { Items = [] } = await env.doc.send(
      new QueryCommand({
        TableName: env.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.draw(PROGRAM, '').gsi1pk },
      }),
    );
    expect(new Set(Items.map((item) => item.sk))).toEqual(new Set(['DRAW']));
  });

  it('still reads a draw stored as one item before chunking', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    const legacy = aPoolDraw('2027-01-07', 200, { rate: 0.2, minPerWeek: 1 });
    await env.doc.send(
      new PutCommand({
        TableName: env.tableName,
        Item: { ...keys.draw(PROGRAM, legacy.date), entity: 'draw', ...legacy },
      }),
    );
    expect(await deps.screening.getDraw(PROGRAM, legacy.date)).toEqual(legacy);
    expect(await deps.screening.listDraws(PROGRAM, '2027-01-07', '2027-01-07')).toEqual([legacy]);
    expect(await deps.screening.createDraw(aPoolDraw(legacy.date, 10, { rate: 0.2, minPerWeek: 1 }))).toBe(
      false,
    );
    expect(await deps.screening.getDraw(PROGRAM, legacy.date)).toEqual(legacy);
  });

  it('refuses to return a draw whose chunks are incomplete', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    const draw = aPoolDraw('2027-01-08', 2_500, { rate: 0.2, minPerWeek: 1 });
    expect(await deps.screening.createDraw(draw)).toBe(true);
    const chunk = (await storedItems(draw.date)).find((item) => item.sk !== 'DRAW')!;
    await env.doc.send(new DeleteCommand({ TableName: env.tableName, Key: { pk: chunk.pk, sk: chunk.sk } }));
    await expect(deps.screening.getDraw(PROGRAM, draw.date)).rejects.toThrow(/chunks/);
  });
});
