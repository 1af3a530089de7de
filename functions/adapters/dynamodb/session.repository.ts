import { type Session, type Shortfall, sessionSchema, shortfallSchema } from '../../domain/session.schema.ts';
import type { Page, PageRequest, SessionRepository } from '../../ports/repository.port.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { keys, withoutKeys } from './keys.ts';
import { queryPage } from './paging.ts';

const toItem = (s: Session) => ({
  ...keys.session(s.programId, s.sessionId),
  ...keys.sessionByWeek(s.programId, s.week, s.start, s.sessionId),
  ...keys.sessionByClient(s.programId, s.clientId, s.start, s.sessionId),
  entity: 'session',
  ...s,
});
const fromItem = (item: Record<string, unknown>) => sessionSchema.parse(withoutKeys(item));

export class DynamoSessionRepository implements SessionRepository {
  constructor(private readonly table: DynamoTable) {}

  async getSession(programId: string, sessionId: string): Promise<Session | undefined> {
    const { pk, sk } = keys.session(programId, sessionId);
    const item = await this.table.get(pk, sk);
    return item ? fromItem(item) : undefined;
  }

  async listSessionsPage(
    programId: string,
    weeks: readonly string[],
    range: { from: string; to: string },
    page: PageRequest,
  ): Promise<Page<Session>> {
    return queryPage(
      this.table,
      weeks.map((week) => ({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.sessionByWeek(programId, week, '', '').gsi1pk,
          ':from': range.from,
          // every `${start}#${sessionId}` with start <= to sorts before `${to}#~`
          ':to': `${range.to}#~`,
        },
      })),
      page,
      fromItem,
      ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    );
  }

  async listSessionsByWeek(programId: string, week: string): Promise<Session[]> {
    const items = await this.table.queryPartition({
      index: 'gsi1',
      pk: keys.sessionByWeek(programId, week, '', '').gsi1pk,
    });
    return items.map(fromItem);
  }

  async listSessionsByClient(
    programId: string,
    clientId: string,
    range: { from?: string; to?: string } = {},
  ): Promise<Session[]> {
    const { gsi2pk } = keys.sessionByClient(programId, clientId, '', '');
    const items = await this.table.queryPartition({
      index: 'gsi2',
      pk: gsi2pk,
      ...(range.from || range.to
        ? { skFrom: `SESSION#${range.from ?? ''}`, skTo: range.to ? `SESSION#${range.to}#~` : 'SESSION#~' }
        : { skPrefix: 'SESSION#' }),
    });
    return items.map(fromItem);
  }

  async putSessions(sessions: Session[]): Promise<void> {
    await this.table.batchPut(sessions.map(toItem));
  }

  async replaceSession(session: Session, expectedVersion: number): Promise<boolean> {
    return this.table.putIfVersion(toItem(session), expectedVersion);
  }

  async putShortfalls(shortfalls: Shortfall[]): Promise<void> {
    await this.table.batchPut(
      shortfalls.map((s) => ({
        ...keys.shortfall(s.programId, s.week, s.clientId),
        entity: 'shortfall',
        ...s,
      })),
    );
  }

  async listShortfalls(programId: string, week: string): Promise<Shortfall[]> {
    const items = await this.table.queryPartition({
      pk: keys.program(programId).pk,
      skPrefix: `SHORTFALL#${week}#`,
    });
    return items.map((item) => shortfallSchema.parse(withoutKeys(item)));
  }
}
