import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { isoWeekOf } from '../functions/domain/zoned-time.ts';
import { ensureWebBuild, WEB_DIST } from '../web/build.ts';
import {
  createTable,
  documentClient,
  JAVA_MISSING_MESSAGE,
  javaIsInstalled,
  startDynamoLocal,
} from './adapters/dynamo-local.ts';
import { clearRunning, findRunning, portIsBusy, writeRunning } from './running.ts';
import { startRuntime, weekTable } from './runtime.ts';
import { localWebApp } from './web-app.ts';

/** npm start: the whole system locally, on embedded DynamoDB Local, messages on the console. */
async function main() {
  if (!(await javaIsInstalled())) {
    console.error(JAVA_MISSING_MESSAGE);
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 3000);
  // Checked before anything starts: a second npm start must not open the same data or re-plan it.
  if (await portIsBusy(port)) {
    const running = findRunning();
    console.error(
      running
        ? `Cadence is already running on http://localhost:${running.port} (pid ${running.pid}); stop it first, or start another with PORT=3001 npm start.`
        : `Port ${port} is busy; start Cadence on another one: PORT=3001 npm start`,
    );
    process.exit(1);
  }
  if (findRunning()) {
    console.error(`Cadence is already running on this data (pid ${findRunning()!.pid}); stop it first.`);
    process.exit(1);
  }
  // The care-team app: built here when web/dist is missing or older than web/src (about a second).
  await ensureWebBuild((line) => console.log(line));
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
    web: localWebApp({ dir: WEB_DIST }),
  });
  writeRunning({ pid: process.pid, port, dynamoEndpoint: dynamo.endpoint, tableName });
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
  // Each program's weekly generation, sweep and draws, as its create or last change left them.
  console.log('\nRecurring jobs (next firing):');
  for (const job of scheduler.recurringJobs())
    console.log(`  ${job.next}  ${job.target.padEnd(16)} ${job.name}  cron(${job.cron}) ${job.timezone}`);
  console.log(`\nCadence is running: the care-team app on http://localhost:${port}/ (local sign-in),`);
  console.log(
    `the API on ${runtime.url}/api and ${runtime.url} (try GET ${runtime.url}/api/programs/sunrise)`,
  );
  console.log('SMS and care-team alerts print here and go to local/outbox.jsonl. Ctrl-C stops everything.');
  console.log(
    'Text in as a client: npm run sms -- --from +12025550101 "C" (c-004, +12025550104, reads Spanish).\n',
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    clearRunning();
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
