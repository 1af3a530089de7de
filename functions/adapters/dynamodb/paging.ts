import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError, type Page, type PageRequest } from '../../ports/repository.port.ts';
import type { DynamoTable } from './dynamo-table.ts';

type Item = Record<string, unknown>;
const KEY_NAMES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'];

/** The opaque cursor: DynamoDB's LastEvaluatedKey (plus where a multi-partition walk is), base64url JSON. */
export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The cursor's content, checked to be ours: an object of strings (and a number at `part`). */
export function decodeCursor(cursor: string): { key: Item; part: number } {
  try {
    if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error();
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error();
    const { part = 0, ...key } = value as Record<string, unknown>;
    if (typeof part !== 'number' || !Number.isInteger(part) || part < 0) throw new Error();
    if (Object.keys(key).length === 0) throw new Error();
    for (const [name, v] of Object.entries(key))
      if (!KEY_NAMES.includes(name) || typeof v !== 'string') throw new Error();
    return { key, part };
  } catch {
    throw new InvalidCursorError();
  }
}

/**
 * One page of a query over one partition or several in order (`partitions`, each a query input),
 * with an optional filter applied after the key condition. Pages are filled up to `limit` items;
 * the cursor is the key of the last item returned, so a filtered page never skips items.
 */
export async function queryPage<T>(
  table: DynamoTable,
  partitions: readonly Omit<QueryCommandInput, 'TableName'>[],
  page: PageRequest,
  parse: (item: Item) => T,
  /** The key attributes of an item of the queried index. */
  keyNames: readonly string[],
): Promise<Page<T>> {
  let { key: startKey, part } = page.cursor
    ? decodeCursor(page.cursor)
    : { key: undefined as Item | undefined, part: 0 };
  if (page.cursor && !fitsPartition(startKey!, partitions[part], keyNames)) throw new InvalidCursorError();
  const items: { item: Item; part: number }[] = [];
  while (part < partitions.length && items.length < page.limit) {
    const input = partitions[part]!;
    const result = await table.doc.send(
      new QueryCommand({
        TableName: table.tableName,
        ...input,
        Limit: page.limit - items.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of result.Items ?? []) items.push({ item, part });
    startKey = result.LastEvaluatedKey;
    if (!startKey) part += 1;
  }
  const more = part < partitions.length;
  const last = items.at(-1);
  const cursor =
    more && last
      ? encodeCursor({ ...Object.fromEntries(keyNames.map((k) => [k, last.item[k]])), part: last.part })
      : more && startKey
        ? encodeCursor({ ...startKey, part })
        : undefined;
  return { items: items.map((i) => parse(i.item)), ...(cursor ? { cursor } : {}) };
}

/** A cursor's key must belong to the partition (and key range) of the query it continues. */
function fitsPartition(
  key: Item,
  input: Omit<QueryCommandInput, 'TableName'> | undefined,
  keyNames: readonly string[],
): boolean {
  if (
    !input ||
    keyNames.some((k) => typeof key[k] !== 'string') ||
    Object.keys(key).length !== keyNames.length
  )
    return false;
  const values = input.ExpressionAttributeValues ?? {};
  const pkName = input.IndexName ? `${input.IndexName}pk` : 'pk';
  const skName = input.IndexName ? `${input.IndexName}sk` : 'sk';
  const sk = key[skName] as string;
  if (key[pkName] !== values[':pk']) return false;
  if (values[':prefix'] !== undefined && !sk.startsWith(values[':prefix'] as string)) return false;
  if (values[':from'] !== undefined && (sk < (values[':from'] as string) || sk > (values[':to'] as string)))
    return false;
  return true;
}
