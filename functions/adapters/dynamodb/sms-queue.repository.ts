import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { windowOf } from '../../domain/pacing.ts';
import type { QueuedSms, SmsQueue } from '../../ports/sms-queue.port.ts';
import { type DynamoTable, written } from './dynamo-table.ts';

/** A queued message's key: the identity's partition, sorted by deadline (EDF is a plain query). */
export const queuedKeyOf = (m: Pick<QueuedSms, 'identity' | 'deadline' | 'key'>) => ({
  pk: `SMSQ#${m.identity}`,
  sk: `${m.deadline}#${m.key.programId}#${m.key.subjectId}#${m.key.purpose}#${m.key.offsetMinutes ?? '-'}`,
});
/** The identity's rate window: which second, and how many slots of it are taken. */
const rateKeyOf = (identity: string) => ({ pk: `SMSRATE#${identity}`, sk: 'RATE' });
/** A message nobody drains (a bug, a lost trigger) leaves the table after a week. */
const RETENTION_SECONDS = 7 * 24 * 3600;
const ITEM_FIELDS = [
  'identity',
  'from',
  'programId',
  'clientId',
  'purpose',
  'key',
  'body',
  'context',
  'answer',
  'dueAt',
  'deadline',
  'notBefore',
  'attempts',
  'status',
] as const;

const toMessage = (item: Record<string, unknown>): QueuedSms =>
  Object.fromEntries(
    ITEM_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]),
  ) as unknown as QueuedSms;

export class DynamoSmsQueue implements SmsQueue {
  constructor(private readonly table: DynamoTable) {}

  async enqueue(message: QueuedSms): Promise<void> {
    await this.table.putIfAbsent({
      ...queuedKeyOf(message),
      entity: 'queued-sms',
      ...message,
      expiresAt: Math.floor(Date.parse(message.dueAt) / 1000) + RETENTION_SECONDS,
    });
  }

  async ready(identity: string, now: string, limit: number): Promise<QueuedSms[]> {
    const found: QueuedSms[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.doc.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'notBefore <= :now',
          ExpressionAttributeValues: { ':pk': `SMSQ#${identity}`, ':now': now },
          ConsistentRead: true,
          // Read a little more than asked: a few may be leased or backing off.
          Limit: limit + 10,
          ExclusiveStartKey,
        }),
      );
      found.push(...(page.Items ?? []).map(toMessage));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && found.length < limit);
    return found.slice(0, limit);
  }

  async nextReadyAt(identity: string, now: string): Promise<string | undefined> {
    const items = await this.table.queryAll<{ notBefore: string }>({
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'notBefore > :now',
      ExpressionAttributeValues: { ':pk': `SMSQ#${identity}`, ':now': now },
      ProjectionExpression: 'notBefore',
      ConsistentRead: true,
    });
    return items.map((i) => i.notBefore).sort()[0];
  }

  async take(message: QueuedSms, now: string, leaseUntil: string): Promise<boolean> {
    return written(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: queuedKeyOf(message),
          UpdateExpression: 'SET #status = :sending, notBefore = :lease ADD attempts :one',
          // Ready now: queued and past its backoff, or a dead drainer's lease ran out.
          ConditionExpression: 'attribute_exists(pk) AND notBefore <= :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':lease': leaseUntil, ':one': 1, ':now': now },
        }),
      ),
    );
  }

  async putBack(message: QueuedSms, notBefore: string): Promise<void> {
    // Gone meanwhile (another drainer finished it): nothing to put back.
    await written(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: queuedKeyOf(message),
          UpdateExpression: 'SET #status = :queued, notBefore = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':queued': 'queued', ':at': notBefore },
        }),
      ),
    );
  }

  async remove(message: QueuedSms): Promise<void> {
    await this.table.doc.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: queuedKeyOf(message) }),
    );
  }

  async reserveSlots(identity: string, now: string, wanted: number, perSecond: number): Promise<number> {
    const second = windowOf(now);
    let want = Math.min(wanted, perSecond);
    for (let attempt = 0; attempt < 5 && want > 0; attempt++) {
      // The same second: take `want` more if that stays within the rate.
      if (await this.update(identity, '#w = :w AND #u <= :max', 'SET #u = #u + :n', second, want, perSecond))
        return want;
      // A new second (or the first ever): start its count at `want`.
      if (
        await this.update(
          identity,
          'attribute_not_exists(#w) OR #w < :w',
          'SET #w = :w, #u = :n',
          second,
          want,
          perSecond,
        )
      )
        return want;
      const current = await this.table.get<{ window: number; used: number }>(
        rateKeyOf(identity).pk,
        rateKeyOf(identity).sk,
      );
      if (current && current.window > second) return 0; // a clock ahead of ours took a later second
      want = Math.min(want, perSecond - (current?.window === second ? current.used : 0));
    }
    return 0;
  }

  private async update(
    identity: string,
    condition: string,
    update: string,
    second: number,
    n: number,
    perSecond: number,
  ): Promise<boolean> {
    return written(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: rateKeyOf(identity),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#w': 'window', '#u': 'used' },
          ExpressionAttributeValues: {
            ':w': second,
            ':n': n,
            ...(condition.includes(':max') ? { ':max': perSecond - n } : {}),
          },
        }),
      ),
    );
  }
}
