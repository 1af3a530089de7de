import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';
import { aClient, aProgram } from '../support/fixtures.ts';

describe('stored items', () => {
  it('are read even with attributes this version does not know (a newer version wrote them, then a rollback)', async () => {
    const { doc, tableName } = await freshTable();
    const { deps } = localDeps(doc, tableName);
    const program = aProgram();
    const client = aClient();
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.program(program.id), entity: 'program', ...program, futureSetting: 'x' },
      }),
    );
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.client(program.id, client.id), entity: 'client', ...client, pronouns: 'they' },
      }),
    );
    expect(await deps.programs.getProgram(program.id)).toEqual(program);
    expect(await deps.clients.getClient(program.id, client.id)).toEqual(client);
  });
});
