import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Reply, replySchema } from '../../domain/inbound-sms.ts';
import type { Page, PageRequest, ReplyRepository } from '../../ports/repository.port.ts';
import { type DynamoTable, isConditionFailure } from './dynamo-table.ts';
import { keys, storedAs } from './keys.ts';
import { queryPage } from './paging.ts';

/**
 * Clients' SMS replies: one item per inbound message id, written once (the idempotency record of
 * the inbound function), listed by client on gsi2, deleted by TTL at the program's retention. The
 * table is encrypted with the customer-managed table key.
 */
export class DynamoReplyRepository implements ReplyRepository {
  constructor(private readonly table: DynamoTable) {}

  async recordReply(reply: Reply, expiresAt: number): Promise<boolean> {
    return this.table.putIfAbsent({
      ...keys.reply(reply.inboundMessageId),
      ...keys.replyByClient(reply.programId, reply.clientId, reply.receivedAt, reply.inboundMessageId),
      entity: 'reply',
      ...replySchema.parse(reply),
      expiresAt,
    });
  }

  async getReply(inboundMessageId: string): Promise<Reply | undefined> {
    const { pk, sk } = keys.reply(inboundMessageId);
    const item = await this.table.get(pk, sk);
    return item ? storedAs(replySchema, item) : undefined;
  }

  async setConfirmedSession(inboundMessageId: string, sessionId: string): Promise<boolean> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.reply(inboundMessageId),
          UpdateExpression: 'SET confirmedSessionId = :s',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(confirmedSessionId)',
          ExpressionAttributeValues: { ':s': sessionId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markHandled(inboundMessageId: string, at: string): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.reply(inboundMessageId),
        UpdateExpression: 'SET handledAt = if_not_exists(handledAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async listRepliesByClient(programId: string, clientId: string, page: PageRequest): Promise<Page<Reply>> {
    return queryPage(
      this.table,
      [
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': keys.replyByClient(programId, clientId, '', '').gsi2pk,
            ':prefix': 'REPLY#',
          },
          ScanIndexForward: false,
        },
      ],
      page,
      (item) => storedAs(replySchema, item),
      ['pk', 'sk', 'gsi2pk', 'gsi2sk'],
    );
  }
}
