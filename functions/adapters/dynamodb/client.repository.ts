import { type Client, clientSchema } from '../../domain/client.schema.ts';
import type { ClientRepository, Page, PageRequest } from '../../ports/repository.port.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { keys, storedAs } from './keys.ts';
import { queryPage } from './paging.ts';

export class DynamoClientRepository implements ClientRepository {
  constructor(private readonly table: DynamoTable) {}

  async getClient(programId: string, clientId: string): Promise<Client | undefined> {
    const { pk, sk } = keys.client(programId, clientId);
    const item = await this.table.get(pk, sk);
    return item ? storedAs(clientSchema, item) : undefined;
  }

  async createClient(programId: string, client: Client): Promise<boolean> {
    return this.table.putIfAbsent({ ...keys.client(programId, client.id), entity: 'client', ...client });
  }

  async updateClient(programId: string, client: Client, expectedVersion: number): Promise<boolean> {
    return this.table.putIfVersion(
      { ...keys.client(programId, client.id), entity: 'client', ...client },
      expectedVersion,
    );
  }

  async listClientsPage(
    programId: string,
    filter: { status?: string | undefined; track?: string | undefined },
    page: PageRequest,
  ): Promise<Page<Client>> {
    const conditions = [
      ...(filter.status ? ['#status = :status'] : []),
      ...(filter.track ? ['#track = :track'] : []),
    ];
    return queryPage(
      this.table,
      [
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': keys.program(programId).pk,
            ':prefix': 'CLIENT#',
            ...(filter.status ? { ':status': filter.status } : {}),
            ...(filter.track ? { ':track': filter.track } : {}),
          },
          ...(conditions.length > 0
            ? {
                FilterExpression: conditions.join(' AND '),
                ExpressionAttributeNames: {
                  ...(filter.status ? { '#status': 'status' } : {}),
                  ...(filter.track ? { '#track': 'track' } : {}),
                },
              }
            : {}),
        },
      ],
      page,
      (item) => storedAs(clientSchema, item),
      ['pk', 'sk'],
    );
  }

  async listClients(programId: string): Promise<Client[]> {
    const items = await this.table.queryPartition({ pk: keys.program(programId).pk, skPrefix: 'CLIENT#' });
    return items.map((item) => storedAs(clientSchema, item));
  }
}
