import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createTable, documentClient } from '../../local/adapters/dynamo-local.ts';

/** A fresh table on the shared DynamoDB Local, so test files never see each other's items. */
export async function freshTable() {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `test-${randomUUID()}`;
  await createTable(endpoint, tableName);
  return { endpoint, tableName, doc: documentClient(endpoint) };
}
