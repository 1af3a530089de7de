import { type Screen, screenSchema } from '../../domain/screen.schema.ts';
import { type DrawRecord, drawRecordSchema } from '../../domain/screening.ts';
import type { ScreeningRepository } from '../../ports/repository.port.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { keys, withoutKeys } from './keys.ts';

export class DynamoScreeningRepository implements ScreeningRepository {
  constructor(private readonly table: DynamoTable) {}

  async createDraw(draw: DrawRecord): Promise<boolean> {
    return this.table.putIfAbsent({ ...keys.draw(draw.programId, draw.date), entity: 'draw', ...draw });
  }

  async getDraw(programId: string, date: string): Promise<DrawRecord | undefined> {
    const { pk, sk } = keys.draw(programId, date);
    const item = await this.table.get(pk, sk);
    return item ? drawRecordSchema.parse(withoutKeys(item)) : undefined;
  }

  async listDraws(programId: string, from: string, to: string): Promise<DrawRecord[]> {
    const items = await this.table.queryPartition({
      index: 'gsi1',
      pk: keys.draw(programId, '').gsi1pk,
      skFrom: from,
      skTo: to,
    });
    return items.map((item) => drawRecordSchema.parse(withoutKeys(item)));
  }

  async getScreen(programId: string, clientId: string, date: string): Promise<Screen | undefined> {
    const { pk, sk } = keys.screen(programId, clientId, date);
    const item = await this.table.get(pk, sk);
    return item ? screenSchema.parse(withoutKeys(item)) : undefined;
  }

  async putScreen(screen: Screen): Promise<void> {
    await this.table.put({
      ...keys.screen(screen.programId, screen.clientId, screen.date),
      entity: 'screen',
      ...screen,
    });
  }

  async listScreensByClient(programId: string, clientId: string): Promise<Screen[]> {
    const items = await this.table.queryPartition({ pk: keys.screen(programId, clientId, '').pk });
    return items.map((item) => screenSchema.parse(withoutKeys(item)));
  }
}
