import { type Clinician, clinicianSchema } from '../../domain/clinician.schema.ts';
import { type Program, programSchema } from '../../domain/program.schema.ts';
import type { ProgramRepository } from '../../ports/repository.port.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { keys, withoutKeys } from './keys.ts';

export class DynamoProgramRepository implements ProgramRepository {
  constructor(private readonly table: DynamoTable) {}

  async getProgram(programId: string): Promise<Program | undefined> {
    const item = await this.table.get(keys.program(programId).pk, 'PROGRAM');
    return item ? programSchema.parse(withoutKeys(item)) : undefined;
  }

  async putProgram(program: Program): Promise<void> {
    await this.table.put({ ...keys.program(program.id), entity: 'program', ...program });
  }

  async listPrograms(): Promise<Program[]> {
    const items = await this.table.queryPartition({ index: 'gsi1', pk: 'PROGRAMS' });
    return items.map((item) => programSchema.parse(withoutKeys(item)));
  }

  async listClinicians(programId: string): Promise<Clinician[]> {
    const items = await this.table.queryPartition({ pk: keys.program(programId).pk, skPrefix: 'CLINICIAN#' });
    return items.map((item) => clinicianSchema.parse(withoutKeys(item)));
  }

  async putClinician(programId: string, clinician: Clinician): Promise<void> {
    await this.table.put({ ...keys.clinician(programId, clinician.id), entity: 'clinician', ...clinician });
  }
}
