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
    return this.table.putIfAbsent(this.item(programId, client));
  }

  async updateClient(programId: string, client: Client, expectedVersion: number): Promise<boolean> {
    return this.table.putIfVersion(this.item(programId, client), expectedVersion);
  }

  private item(programId: string, client: Client) {
    return {
      ...keys.client(programId, client.id),
      ...keys.clientByPhone(client.phone, programId, client.id),
      entity: 'client',
      ...client,
    };
  }

  async findClientsByPhone(phone: string): Promise<{ programId: string; client: Client }[]> {
    const items = await this.table.queryPartition({
      index: 'gsi2',
      pk: keys.clientByPhone(phone, '', '').gsi2pk,
    });
    return items.map((item) => ({
      programId: String(item.pk).slice('PROGRAM#'.length),
      client: storedAs(clientSchema, item),
    }));
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
