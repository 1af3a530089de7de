import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type Flag, type FlagAudit, flagAuditSchema, flagSchema } from '../../domain/flag.schema.ts';
import type { FlagRepository, Page, PageRequest } from '../../ports/repository.port.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { keys, withoutKeys } from './keys.ts';
import { queryPage } from './paging.ts';

const toItem = (flag: Flag) => ({
  ...keys.flag(flag.programId, flag.flagId),
  ...(flag.status === 'open' ? keys.openFlag(flag.programId, flag.clientId, flag.rule) : {}),
  ...keys.flagByClient(flag.programId, flag.clientId, flag.raisedAt),
  entity: 'flag',
  ...flag,
});
const fromItem = (item: Record<string, unknown>) => flagSchema.parse(withoutKeys(item));

const auditItem = (programId: string, entry: FlagAudit) => ({
  ...keys.flagAudit(programId, entry.flagId, entry.at, entry.action),
  entity: 'flag-audit',
  ...entry,
});

/** A transaction cancelled because a condition failed (not a throttle or a conflict with another transaction). */
const isConditionalCancel = (error: unknown) =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');

export class DynamoFlagRepository implements FlagRepository {
  constructor(private readonly table: DynamoTable) {}

  async openFlag(flag: Flag, audit: FlagAudit): Promise<boolean> {
    try {
      // The slot item, the flag and its audit entry in one transaction: two evaluations racing open one flag.
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
            { Put: { TableName: this.table.tableName, Item: auditItem(flag.programId, audit) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCancel(error)) return false;
      throw error;
    }
  }

  async getFlag(programId: string, flagId: string): Promise<Flag | undefined> {
    const { pk, sk } = keys.flag(programId, flagId);
    const item = await this.table.get(pk, sk);
    return item ? fromItem(item) : undefined;
  }

  async updateFlag(flag: Flag, expectedVersion: number, audit?: FlagAudit): Promise<boolean> {
    const TableName = this.table.tableName;
    try {
      await this.table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName,
                Item: toItem(flag),
                // Flags written before versions existed count as version 1.
                ConditionExpression:
                  expectedVersion === 1 ? 'attribute_not_exists(#v) OR #v = :v' : '#v = :v',
                ExpressionAttributeNames: { '#v': 'version' },
                ExpressionAttributeValues: { ':v': expectedVersion },
              },
            },
            ...(audit ? [{ Put: { TableName, Item: auditItem(flag.programId, audit) } }] : []),
            ...(flag.status === 'resolved'
              ? [
                  {
                    Delete: {
                      TableName,
                      Key: keys.flagSlot(flag.programId, flag.clientId, flag.rule),
                      ConditionExpression: 'attribute_not_exists(pk) OR flagId = :id',
                      ExpressionAttributeValues: { ':id': flag.flagId },
                    },
                  },
                ]
              : []),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCancel(error)) return false;
      throw error;
    }
  }

  async listFlagsByClient(programId: string, clientId: string): Promise<Flag[]> {
    const items = await this.table.queryPartition({
      index: 'gsi2',
      pk: keys.flagByClient(programId, clientId, '').gsi2pk,
      skPrefix: 'FLAG#',
    });
    return items.map(fromItem);
  }

  async listOpenFlagsPage(
    programId: string,
    filter: { escalated?: boolean | undefined; rule?: string | undefined },
    page: PageRequest,
  ): Promise<Page<Flag>> {
    const conditions = [
      ...(filter.escalated === undefined
        ? []
        : [filter.escalated ? 'attribute_exists(escalatedAt)' : 'attribute_not_exists(escalatedAt)']),
      ...(filter.rule ? ['#rule = :rule'] : []),
    ];
    return queryPage(
      this.table,
      [
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: {
            ':pk': keys.openFlag(programId, '', '').gsi1pk,
            ...(filter.rule ? { ':rule': filter.rule } : {}),
          },
          ...(conditions.length > 0 ? { FilterExpression: conditions.join(' AND ') } : {}),
          ...(filter.rule ? { ExpressionAttributeNames: { '#rule': 'rule' } } : {}),
        },
      ],
      page,
      fromItem,
      ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    );
  }

  async listOpenFlags(programId: string): Promise<Flag[]> {
    const items = await this.table.queryPartition({
      index: 'gsi1',
      pk: keys.openFlag(programId, '', '').gsi1pk,
    });
    return items.map(fromItem);
  }

  async addAudit(programId: string, entry: FlagAudit): Promise<void> {
    await this.table.put(auditItem(programId, entry));
  }

  async listAudit(programId: string, flagId: string): Promise<FlagAudit[]> {
    const items = await this.table.queryPartition({
      pk: keys.flag(programId, flagId).pk,
      skPrefix: 'AUDIT#',
    });
    return items.map((item) => flagAuditSchema.parse(withoutKeys(item)));
  }
}
