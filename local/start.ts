import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { isoWeekOf } from '../functions/domain/zoned-time.ts';
import {
  createTable,
  documentClient,
  JAVA_MISSING_MESSAGE,
  javaIsInstalled,
  startDynamoLocal,
} from './adapters/dynamo-local.ts';
import { startRuntime, weekTable } from './runtime.ts';

/** npm start: the whole system locally, on embedded DynamoDB Local, messages on the console. */
async function main() {
  if (!(await javaIsInstalled())) {
    console.error(JAVA_MISSING_MESSAGE);
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 3000);
  mkdirSync('local/.data', { recursive: true });
  const dynamo = await startDynamoLocal({ dbPath: resolve('local/.data') });
  const tableName = 'cadence-local';
  await createTable(dynamo.endpoint, tableName);
  console.log(`DynamoDB Local on ${dynamo.endpoint} (data in local/.data)`);
  const runtime = await startRuntime({
    doc: documentClient(dynamo.endpoint),
    tableName,
    port,
    print: (line) => console.log(line),
    outboxFile: 'local/outbox.jsonl',
    seedDemo: true,
  });
  const { deps, scheduler, clock } = runtime.system;
  for (const program of await deps.programs.listPrograms()) {
    const week = isoWeekOf(clock.now(), program.timezone);
    const sessions = (await deps.sessions.listSessionsByWeek(program.id, week)).filter(
      (s) => s.status !== 'cancelled',
    );
    console.log(
      `\n${program.name} (${program.id}), week ${week}, ${program.timezone}:\n${weekTable(sessions, program.timezone)}`,
    );
  }
  console.log('\nNext jobs due:');
  for (const job of scheduler.pending().slice(0, 8))
    console.log(`  ${job.at}  ${job.target.padEnd(16)} ${job.name}`);
  console.log(`\nCadence is running: API on ${runtime.url} (try GET ${runtime.url}/programs/sunrise)`);
  console.log('SMS and care-team alerts print here and go to local/outbox.jsonl. Ctrl-C stops everything.\n');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await runtime.stop();
    await dynamo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
