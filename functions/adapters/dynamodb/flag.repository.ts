import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type Flag, type FlagAudit, flagAuditSchema, flagSchema } from '../../domain/flag.schema.ts';
import type { FlagRepository } from '../../ports/repository.port.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { keys, withoutKeys } from './keys.ts';

const toItem = (flag: Flag) => ({
  ...keys.flag(flag.programId, flag.flagId),
  ...(flag.status === 'open' ? keys.openFlag(flag.programId, flag.clientId, flag.rule) : {}),
  ...keys.flagByClient(flag.programId, flag.clientId, flag.raisedAt),
  entity: 'flag',
  ...flag,
});
const fromItem = (item: Record<string, unknown>) => flagSchema.parse(withoutKeys(item));

export class DynamoFlagRepository implements FlagRepository {
  constructor(private readonly table: DynamoTable) {}

  async openFlag(flag: Flag): Promise<boolean> {
    try {
      // The slot item and the flag in one transaction: two evaluations racing open one flag.
      await this.table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.tableName,
                Item: {
                  ...keys.flagSlot(flag.programId, flag.clientId, flag.rule),
                  entity: 'flag-slot',
                  flagId: flag.flagId,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: this.table.tableName, Item: toItem(flag) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  async getFlag(programId: string, flagId: string): Promise<Flag | undefined> {
    const { pk, sk } = keys.flag(programId, flagId);
    const item = await this.table.get(pk, sk);
    return item ? fromItem(item) : undefined;
  }

  async updateFlag(flag: Flag): Promise<void> {
    if (flag.status === 'open') {
      await this.table.put(toItem(flag));
      return;
    }
    await this.table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table.tableName, Item: toItem(flag) } },
          {
            Delete: {
              TableName: this.table.tableName,
              Key: keys.flagSlot(flag.programId, flag.clientId, flag.rule),
              ConditionExpression: 'flagId = :id',
              ExpressionAttributeValues: { ':id': flag.flagId },
            },
          },
        ],
      }),
    );
  }

  async listFlagsByClient(programId: string, clientId: string): Promise<Flag[]> {
    const items = await this.table.queryPartition({
      index: 'gsi2',
      pk: keys.flagByClient(programId, clientId, '').gsi2pk,
      skPrefix: 'FLAG#',
    });
    return items.map(fromItem);
  }

  async listOpenFlags(programId: string): Promise<Flag[]> {
    const items = await this.table.queryPartition({
      index: 'gsi1',
      pk: keys.openFlag(programId, '', '').gsi1pk,
    });
    return items.map(fromItem);
  }

  async addAudit(programId: string, entry: FlagAudit): Promise<void> {
    await this.table.put({
      ...keys.flagAudit(programId, entry.flagId, entry.at, entry.action),
      entity: 'flag-audit',
      ...entry,
    });
  }

  async listAudit(programId: string, flagId: string): Promise<FlagAudit[]> {
    const items = await this.table.queryPartition({
      pk: keys.flag(programId, flagId).pk,
      skPrefix: 'AUDIT#',
    });
    return items.map((item) => flagAuditSchema.parse(withoutKeys(item)));
  }
}
