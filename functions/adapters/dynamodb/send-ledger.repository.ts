import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SendKey, SendLedger, SendRecord } from '../../ports/send-ledger.port.ts';
import { type DynamoTable, isConditionFailure } from './dynamo-table.ts';
import { keys } from './keys.ts';

/** The ledger item's key for a message identity. */
export const keyOf = (k: SendKey) => ({
  pk: `SEND#${k.programId}#${k.subjectId}#${k.purpose}#${k.offsetMinutes ?? '-'}`,
  sk: 'SEND',
});
/** Ledger items are audit evidence for a while, then expire (TTL), 400 days after the claim. */
const RETENTION_SECONDS = 400 * 24 * 3600;

export class DynamoSendLedger implements SendLedger {
  constructor(private readonly table: DynamoTable) {}

  async find(key: SendKey): Promise<SendRecord | undefined> {
    const { pk, sk } = keyOf(key);
    const item = await this.table.get<SendKey & Omit<SendRecord, 'key'>>(pk, sk, false);
    if (!item) return undefined;
    return {
      key,
      status: item.status,
      claimedAt: item.claimedAt,
      ...(item.sentAt ? { sentAt: item.sentAt } : {}),
      ...(item.messageId ? { messageId: item.messageId } : {}),
    };
  }

  async claim(key: SendKey, claimedAt: string): Promise<boolean> {
    return this.table.putIfAbsent({
      ...keyOf(key),
      // sparse index: only unconfirmed claims are in it
      gsi1pk: `UNCONFIRMED#${key.programId}`,
      gsi1sk: `${claimedAt}#${key.subjectId}`,
      entity: 'send',
      ...key,
      status: 'claimed',
      claimedAt,
      expiresAt: Math.floor(Date.parse(claimedAt) / 1000) + RETENTION_SECONDS,
    });
  }

  async settle(key: SendKey, outcome: string, at: string): Promise<boolean> {
    return this.table.putIfAbsent({
      ...keyOf(key),
      entity: 'send',
      ...key,
      status: 'sent',
      claimedAt: at,
      messageId: outcome,
      sentAt: at,
      expiresAt: Math.floor(Date.parse(at) / 1000) + RETENTION_SECONDS,
    });
  }

  async confirm(key: SendKey, messageId: string, sentAt: string): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keyOf(key),
        // The message id is indexed (gsi2) in the same write: a reply names the message it answers.
        UpdateExpression:
          'SET #status = :sent, messageId = :id, sentAt = :at, gsi2pk = :mpk, gsi2sk = :msk REMOVE gsi1pk, gsi1sk',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':id': messageId,
          ':at': sentAt,
          ':mpk': keys.sentMessage(messageId).gsi2pk,
          ':msk': keys.sentMessage(messageId).gsi2sk,
        },
      }),
    );
  }

  async release(key: SendKey): Promise<void> {
    try {
      await this.table.doc.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: keyOf(key),
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async findSent(messageId: string): Promise<SendKey | undefined> {
    const [item] = await this.table.queryPartition<SendKey>({
      index: 'gsi2',
      pk: keys.sentMessage(messageId).gsi2pk,
    });
    return item
      ? {
          programId: item.programId,
          subjectId: item.subjectId,
          purpose: item.purpose,
          ...(item.offsetMinutes !== undefined ? { offsetMinutes: item.offsetMinutes } : {}),
        }
      : undefined;
  }

  async listUnconfirmed(programId: string, before: string) {
    const items = await this.table.queryPartition<SendKey & { claimedAt: string }>({
      index: 'gsi1',
      pk: `UNCONFIRMED#${programId}`,
      skFrom: '0',
      skTo: `${before}`,
    });
    return items.map((i) => ({
      key: {
        programId: i.programId,
        subjectId: i.subjectId,
        purpose: i.purpose,
        offsetMinutes: i.offsetMinutes,
      },
      claimedAt: i.claimedAt,
    }));
  }
}
