import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { type Clinician, clinicianSchema } from '../../domain/clinician.schema.ts';
import { type Program, programSchema } from '../../domain/program.schema.ts';
import type { Page, PageRequest, ProgramRepository } from '../../ports/repository.port.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { keys, storedAs } from './keys.ts';
import { queryPage } from './paging.ts';

/**
 * Programs change rarely and every job reads one, so a warm function keeps each for a short time
 * (real time, not the simulator's). A change made through this instance is seen at once; one made
 * elsewhere within `cacheMs`. Sessions, clients and ledger items are always read fresh.
 */
export class DynamoProgramRepository implements ProgramRepository {
  private readonly cache = new Map<string, { program: Program; until: number }>();

  constructor(
    private readonly table: DynamoTable,
    private readonly cacheMs = 30_000,
  ) {}

  async getProgram(programId: string): Promise<Program | undefined> {
    const hit = this.cache.get(programId);
    if (hit && hit.until > performance.now()) return hit.program;
    const item = await this.table.get(keys.program(programId).pk, 'PROGRAM');
    const program = item ? storedAs(programSchema, item) : undefined;
    if (program) this.cache.set(programId, { program, until: performance.now() + this.cacheMs });
    return program;
  }

  async createProgram(program: Program): Promise<boolean> {
    if (!(await this.table.putIfAbsent({ ...keys.program(program.id), entity: 'program', ...program })))
      return false;
    this.cache.set(program.id, { program, until: performance.now() + this.cacheMs });
    return true;
  }

  async putProgram(program: Program): Promise<void> {
    await this.table.put({ ...keys.program(program.id), entity: 'program', ...program });
    this.cache.set(program.id, { program, until: performance.now() + this.cacheMs });
  }

  async deleteProgram(programId: string): Promise<boolean> {
    this.cache.delete(programId);
    const { pk, sk } = keys.program(programId);
    const { Attributes } = await this.table.doc.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: { pk, sk }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  async listPrograms(): Promise<Program[]> {
    const items = await this.table.queryPartition({ index: 'gsi1', pk: 'PROGRAMS' });
    return items.map((item) => storedAs(programSchema, item));
  }

  async listProgramsPage(page: PageRequest): Promise<Page<Program>> {
    return queryPage(
      this.table,
      [
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': 'PROGRAMS' },
        },
      ],
      page,
      (item) => storedAs(programSchema, item),
      ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    );
  }

  async listCliniciansPage(programId: string, page: PageRequest): Promise<Page<Clinician>> {
    return queryPage(
      this.table,
      [
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.program(programId).pk, ':prefix': 'CLINICIAN#' },
        },
      ],
      page,
      (item) => storedAs(clinicianSchema, item),
      ['pk', 'sk'],
    );
  }

  async listClinicians(programId: string): Promise<Clinician[]> {
    const items = await this.table.queryPartition({ pk: keys.program(programId).pk, skPrefix: 'CLINICIAN#' });
    return items.map((item) => storedAs(clinicianSchema, item));
  }

  async putClinician(programId: string, clinician: Clinician): Promise<void> {
    await this.table.put({ ...keys.clinician(programId, clinician.id), entity: 'clinician', ...clinician });
  }
}
