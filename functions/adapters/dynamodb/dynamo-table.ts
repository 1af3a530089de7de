import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;
const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;

export const isConditionFailure = (error: unknown) =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** Runs a conditional write: true when it was written, false when its condition did not hold. */
export async function written(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Thin helpers over the document client that every repository shares. */
export class DynamoTable {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async get<T = Item>(pk: string, sk: string, consistent = true): Promise<T | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: consistent }),
    );
    return Item as T | undefined;
  }

  async put(item: Item, options: Omit<PutCommandInput, 'TableName' | 'Item'> = {}): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ...options }));
  }

  /** Puts the item only if no item has its key; false when one existed. */
  async putIfAbsent(item: Item): Promise<boolean> {
    return written(() => this.put(item, { ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  /**
   * Puts the item only if the stored one is at `expectedVersion` (items written before versions
   * existed count as version 1); false when someone changed it meanwhile (invariant 11).
   */
  async putIfVersion(item: Item, expectedVersion: number): Promise<boolean> {
    return written(() =>
      this.put(item, {
        ConditionExpression:
          expectedVersion === 1
            ? 'attribute_exists(pk) AND (attribute_not_exists(#v) OR #v = :v)'
            : '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': expectedVersion },
      }),
    );
  }

  /** Every page of a query. */
  async queryAll<T = Item>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
    const items: T[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey }),
      );
      items.push(...((page.Items ?? []) as T[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  async queryPartition<T = Item>(
    key: { index?: 'gsi1' | 'gsi2'; pk: string; skPrefix?: string; skFrom?: string; skTo?: string },
    options: { consistent?: boolean } = {},
  ): Promise<T[]> {
    const pkName = key.index ? `${key.index}pk` : 'pk';
    const skName = key.index ? `${key.index}sk` : 'sk';
    const values: Item = { ':pk': key.pk };
    let condition = '#pk = :pk';
    if (key.skPrefix !== undefined) {
      condition += ' AND begins_with(#sk, :prefix)';
      values[':prefix'] = key.skPrefix;
    } else if (key.skFrom !== undefined && key.skTo !== undefined) {
      condition += ' AND #sk BETWEEN :from AND :to';
      values[':from'] = key.skFrom;
      values[':to'] = key.skTo;
    }
    return this.queryAll<T>({
      ...(key.index ? { IndexName: key.index } : { ConsistentRead: options.consistent ?? true }),
      KeyConditionExpression: condition,
      ExpressionAttributeNames: { '#pk': pkName, ...(condition.includes('#sk') ? { '#sk': skName } : {}) },
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Writes items 25 at a time. BatchWriteItem is not atomic and may return UnprocessedItems under
   * throttling: those are retried with exponential backoff and jitter until none remain.
   */
  async batchPut(items: Item[]): Promise<void> {
    for (let i = 0; i < items.length; i += BATCH_SIZE) {
      let request: BatchWriteCommandInput['RequestItems'] = {
        [this.tableName]: items.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 1; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > MAX_BATCH_ATTEMPTS)
          throw new Error('BatchWriteItem left unprocessed items after retries');
        if (attempt > 1) await this.sleep(Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
        const result: { UnprocessedItems?: BatchWriteCommandInput['RequestItems'] } = await this.doc.send(
          new BatchWriteCommand({ RequestItems: request }),
        );
        request = result.UnprocessedItems;
      }
    }
  }
}
