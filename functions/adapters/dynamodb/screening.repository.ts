import { createHash, randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type Screen, screenSchema } from '../../domain/screen.schema.ts';
import { type DrawRecord, drawRecordSchema } from '../../domain/screening.ts';
import type { ScreeningRepository } from '../../ports/repository.port.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { keys, withoutKeys } from './keys.ts';

/*
 * A draw is stored as a small header item (keys.draw) plus chunk items (keys.drawChunk) holding its
 * per-client rows, so no item nears DynamoDB's 400 KB limit whatever the pool size
 * (docs/data-model.md, "Draws").
 *
 * Commit point: the chunks are written first, the header last with attribute_not_exists(pk). The
 * header names its `attempt`; only that attempt's chunks are the draw. A writer that loses the race
 * deletes its own chunks best-effort; chunks left by a crash before the header are never read.
 */

/** At most this many rows per chunk… */
const CHUNK_MAX_ROWS = 1000;
/** …and at most this many bytes of rows as JSON, so a chunk stays well under 100 KB for any id. */
const CHUNK_MAX_BYTES = 64 * 1024;
const BATCH_SIZE = 25;
/** Draws whose chunks listDraws reads at the same time. */
const LIST_CONCURRENCY = 4;

/**
 * One client's part of a draw. `out`: not in today's pool (only in selectedThisWeek, say);
 * `r`, `s`: its remainingDrawDaysWithSession and selectedThisWeek entries when it has one;
 * `o`, `why`: its position in `selections` and the reason, when selected.
 */
const drawRowSchema = z
  .object({
    c: z.string(),
    out: z.literal(true).optional(),
    r: z.number().optional(),
    s: z.number().optional(),
    o: z.number().int().min(0).optional(),
    why: z.enum(['random', 'minimum']).optional(),
  })
  .refine((row) => (row.o === undefined) === (row.why === undefined), {
    error: 'expected o and why together',
  });
type DrawRow = z.infer<typeof drawRowSchema>;

const drawChunkSchema = z.object({ index: z.number().int().min(0), rows: z.array(drawRowSchema) });

const drawHeaderSchema = drawRecordSchema
  .pick({
    programId: true,
    date: true,
    drawId: true,
    algorithm: true,
    seed: true,
    policy: true,
    drawnAt: true,
  })
  .extend({
    poolSize: z.number().int().min(0),
    selectedCount: z.number().int().min(0),
    /** SHA-256 (hex) of the sorted pool ids joined by "\n", UTF-8: the pool's audit fingerprint. */
    poolSha256: z.string().regex(/^[0-9a-f]{64}$/),
    attempt: z.string().regex(/^[0-9A-Za-z-]{1,64}$/),
    chunkCount: z.number().int().min(0),
  });
type DrawHeader = z.infer<typeof drawHeaderSchema>;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const poolSha256 = (pool: readonly string[]): string =>
  createHash('sha256').update(pool.join('\n'), 'utf8').digest('hex');

/** Every client the draw mentions, one row each, sorted by id (so the pool rows stay in pool order). */
function rowsOf(draw: DrawRecord): DrawRow[] {
  const rows = new Map<string, DrawRow>();
  for (const c of draw.pool) rows.set(c, { c });
  const row = (c: string): DrawRow => {
    let found = rows.get(c);
    if (!found) {
      found = { c, out: true };
      rows.set(c, found);
    }
    return found;
  };
  for (const [c, n] of Object.entries(draw.remainingDrawDaysWithSession)) row(c).r = n;
  for (const [c, n] of Object.entries(draw.selectedThisWeek)) row(c).s = n;
  // drawScreens never selects a client twice; should a record do so, the repeat gets a row of its own.
  const repeats: DrawRow[] = [];
  draw.selections.forEach(({ clientId, reason }, o) => {
    const target = row(clientId);
    if (target.o === undefined) Object.assign(target, { o, why: reason });
    else repeats.push({ c: clientId, out: true, o, why: reason });
  });
  return [...[...rows.values()].sort((a, b) => byCodeUnit(a.c, b.c)), ...repeats];
}

/** Consecutive slices of at most CHUNK_MAX_ROWS rows and CHUNK_MAX_BYTES bytes. */
function chunksOf(rows: DrawRow[]): DrawRow[][] {
  const chunks: DrawRow[][] = [];
  let current: DrawRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row)) + 1;
    if (current.length > 0 && (current.length >= CHUNK_MAX_ROWS || bytes + size > CHUNK_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The draw from its header and rows; throws when the chunks do not add up to what the header says. */
function assemble(header: DrawHeader, rows: DrawRow[]): DrawRecord {
  const where = `draw ${header.programId} ${header.date} (attempt ${header.attempt})`;
  const pool: string[] = [];
  const selectedThisWeek: Record<string, number> = {};
  const remainingDrawDaysWithSession: Record<string, number> = {};
  const selections: DrawRecord['selections'] = [];
  for (const row of rows) {
    if (!row.out) pool.push(row.c);
    if (row.r !== undefined) remainingDrawDaysWithSession[row.c] = row.r;
    if (row.s !== undefined) selectedThisWeek[row.c] = row.s;
    if (row.o !== undefined && row.why !== undefined) {
      if (row.o >= header.selectedCount || selections[row.o])
        throw new Error(`${where}: selection ${row.o} is out of range or repeated`);
      selections[row.o] = { clientId: row.c, reason: row.why };
    }
  }
  if (pool.length !== header.poolSize)
    throw new Error(
      `${where}: ${pool.length} pool clients in the chunks, the header says ${header.poolSize}`,
    );
  if (selections.length !== header.selectedCount || selections.includes(undefined as never))
    throw new Error(`${where}: the chunks do not hold all ${header.selectedCount} selections`);
  if (poolSha256(pool) !== header.poolSha256) throw new Error(`${where}: the pool does not match its hash`);
  const { programId, date, drawId, algorithm, seed, policy, drawnAt } = header;
  return drawRecordSchema.parse({
    programId,
    date,
    drawId,
    algorithm,
    seed,
    policy,
    pool,
    selectedThisWeek,
    remainingDrawDaysWithSession,
    selections,
    drawnAt,
  });
}

export class DynamoScreeningRepository implements ScreeningRepository {
  constructor(private readonly table: DynamoTable) {}

  async createDraw(draw: DrawRecord): Promise<boolean> {
    const attempt = randomUUID();
    const chunks = chunksOf(rowsOf(draw)).map((rows, index) => ({
      ...keys.drawChunk(draw.programId, draw.date, attempt, index),
      entity: 'draw-chunk',
      index,
      rows,
    }));
    // First the chunks: until the header exists nothing reads them.
    await this.table.batchPut(chunks);
    const header: DrawHeader = {
      programId: draw.programId,
      date: draw.date,
      drawId: draw.drawId,
      algorithm: draw.algorithm,
      seed: draw.seed,
      policy: draw.policy,
      drawnAt: draw.drawnAt,
      poolSize: draw.pool.length,
      selectedCount: draw.selections.length,
      poolSha256: poolSha256(draw.pool),
      attempt,
      chunkCount: chunks.length,
    };
    // The commit point. Only a definite loss frees our chunks: after any other error the header
    // may have been written, and then they are the draw.
    const won = await this.table.putIfAbsent({
      ...keys.draw(draw.programId, draw.date),
      entity: 'draw',
      ...header,
    });
    if (!won) await this.deleteBestEffort(chunks.map(({ pk, sk }) => ({ pk, sk })));
    return won;
  }

  async getDraw(programId: string, date: string): Promise<DrawRecord | undefined> {
    const { pk, sk } = keys.draw(programId, date);
    const item = await this.table.get(pk, sk);
    return item ? this.fromHeader(item) : undefined;
  }

  async listDraws(programId: string, from: string, to: string): Promise<DrawRecord[]> {
    const headers = await this.table.queryPartition({
      index: 'gsi1',
      pk: keys.draw(programId, '').gsi1pk,
      skFrom: from,
      skTo: to,
    });
    const draws: DrawRecord[] = new Array(headers.length);
    let next = 0;
    const worker = async () => {
      while (next < headers.length) {
        const i = next++;
        draws[i] = await this.fromHeader(headers[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, headers.length) }, worker));
    return draws;
  }

  /** A header item, or a whole draw stored as one item before chunking (no `attempt`, has `pool`). */
  private async fromHeader(item: Record<string, unknown>): Promise<DrawRecord> {
    if (item.attempt === undefined && 'pool' in item) return drawRecordSchema.parse(withoutKeys(item));
    const header = drawHeaderSchema.parse(withoutKeys(item));
    if (header.chunkCount === 0) return assemble(header, []);
    // Consistent: the chunks were written before the header this read found.
    const items = await this.table.queryPartition(
      keys.drawChunks(header.programId, header.date, header.attempt),
      {
        consistent: true,
      },
    );
    const chunks = items
      .map((chunk) => drawChunkSchema.parse(withoutKeys(chunk)))
      .sort((a, b) => a.index - b.index);
    if (chunks.length !== header.chunkCount || chunks.some((chunk, i) => chunk.index !== i))
      throw new Error(
        `draw ${header.programId} ${header.date}: found ${chunks.length} of ${header.chunkCount} chunks of attempt ${header.attempt}`,
      );
    return assemble(
      header,
      chunks.flatMap((chunk) => chunk.rows),
    );
  }

  /** One BatchWriteItem pass per 25 keys; whatever is left is an orphan that nothing reads. */
  private async deleteBestEffort(itemKeys: { pk: string; sk: string }[]): Promise<void> {
    for (let i = 0; i < itemKeys.length; i += BATCH_SIZE) {
      try {
        await this.table.doc.send(
          new BatchWriteCommand({
            RequestItems: {
              [this.table.tableName]: itemKeys
                .slice(i, i + BATCH_SIZE)
                .map((Key) => ({ DeleteRequest: { Key } })),
            },
          }),
        );
      } catch {
        // best-effort: the header names another attempt, so these chunks are never read
      }
    }
  }

  async getScreen(programId: string, clientId: string, date: string): Promise<Screen | undefined> {
    const { pk, sk } = keys.screen(programId, clientId, date);
    const item = await this.table.get(pk, sk);
    return item ? screenSchema.parse(withoutKeys(item)) : undefined;
  }

  async createScreen(screen: Screen): Promise<boolean> {
    return this.table.putIfAbsent(screenItem(screen));
  }

  async updateScreen(screen: Screen, expectedVersion: number): Promise<boolean> {
    return this.table.putIfVersion(screenItem(screen), expectedVersion);
  }

  async listScreensByClient(programId: string, clientId: string): Promise<Screen[]> {
    const items = await this.table.queryPartition({ pk: keys.screen(programId, clientId, '').pk });
    return items.map((item) => screenSchema.parse(withoutKeys(item)));
  }
}

const screenItem = (screen: Screen) => ({
  ...keys.screen(screen.programId, screen.clientId, screen.date),
  entity: 'screen',
  ...screen,
});
