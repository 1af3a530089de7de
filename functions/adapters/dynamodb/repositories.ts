import type { SendLedger } from '../../ports/send-ledger.port.ts';
import type { Deps } from '../../use-cases/deps.ts';
import { DynamoClientRepository } from './client.repository.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { DynamoFlagRepository } from './flag.repository.ts';
import { DynamoProgramRepository } from './program.repository.ts';
import { DynamoReplyRepository } from './reply.repository.ts';
import { DynamoScreeningRepository } from './screening.repository.ts';
import { DynamoSendLedger } from './send-ledger.repository.ts';
import { DynamoSessionRepository } from './session.repository.ts';

/** Every repository over one table: the same in Lambda, the local runtime, the simulator and tests. */
export function dynamoRepositories(table: DynamoTable): Pick<
  Deps,
  'programs' | 'clients' | 'sessions' | 'screening' | 'flags' | 'replies'
> & {
  ledger: SendLedger;
} {
  return {
    programs: new DynamoProgramRepository(table),
    clients: new DynamoClientRepository(table),
    sessions: new DynamoSessionRepository(table),
    screening: new DynamoScreeningRepository(table),
    flags: new DynamoFlagRepository(table),
    replies: new DynamoReplyRepository(table),
    ledger: new DynamoSendLedger(table),
  };
}
