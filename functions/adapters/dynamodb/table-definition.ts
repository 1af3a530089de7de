import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single table's keys and indexes: the one source of truth for the CDK stack, the test setup
 * and the local runtime. docs/data-model.md lists the access pattern each key serves.
 */
export const TABLE_DEFINITION = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
} as const;

export type GlobalIndexName = (typeof TABLE_DEFINITION.globalIndexes)[number]['indexName'];

export function createTableInput(tableName: string): CreateTableCommandInput {
  const keyNames = [
    TABLE_DEFINITION.partitionKey,
    TABLE_DEFINITION.sortKey,
    ...TABLE_DEFINITION.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE_DEFINITION.globalIndexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
