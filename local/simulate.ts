import { randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeIssues } from '../functions/handlers/validation.ts';
import {
  createTable,
  documentClient,
  JAVA_MISSING_MESSAGE,
  javaIsInstalled,
  startDynamoLocal,
} from './adapters/dynamo-local.ts';
import { scenarioSchema } from './simulator/scenario.schema.ts';
import { simulate } from './simulator/simulation.ts';
import { summaryTable } from './simulator/summary.ts';

/** npm run simulate -- --scenario FILE [--out EVENTS.jsonl] [--sms-per-second N]  (the format: docs/scenarios.md) */
async function main(): Promise<number> {
  let args: {
    scenario?: string | undefined;
    out?: string | undefined;
    'sms-per-second'?: string | undefined;
  };
  try {
    args = parseArgs({
      options: {
        scenario: { type: 'string' },
        out: { type: 'string' },
        'sms-per-second': { type: 'string' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(
      `${(error as Error).message}\nusage: npm run simulate -- --scenario FILE [--out EVENTS.jsonl] [--sms-per-second N]\n`,
    );
    return 2;
  }
  const smsPerSecond = args['sms-per-second'] === undefined ? undefined : Number(args['sms-per-second']);
  if (
    smsPerSecond !== undefined &&
    !(Number.isInteger(smsPerSecond) && smsPerSecond >= 1 && smsPerSecond <= 1000)
  ) {
    process.stderr.write(
      `--sms-per-second: expected a whole number from 1 to 1000\nusage: ${'npm run simulate -- --scenario FILE [--out EVENTS.jsonl] [--sms-per-second N]'}\n`,
    );
    return 2;
  }
  if (!args.scenario) {
    process.stderr.write(
      'usage: npm run simulate -- --scenario FILE [--out EVENTS.jsonl] [--sms-per-second N]\n',
    );
    return 2;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(args.scenario, 'utf8'));
  } catch (error) {
    process.stderr.write(`invalid scenario ${args.scenario}: ${(error as Error).message}\n`);
    return 2;
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`invalid scenario ${args.scenario}:\n`);
    for (const line of describeIssues(parsed.error)) process.stderr.write(`  ${line}\n`);
    return 2;
  }
  if (!(await javaIsInstalled())) {
    process.stderr.write(`${JAVA_MISSING_MESSAGE}\n`);
    return 1;
  }

  const began = Date.now();
  const dynamo = await startDynamoLocal();
  const out = args.out ? createWriteStream(args.out) : process.stdout;
  let lastDraw = 0;
  let lastQuarter = 0;
  // A bar redrawn in place on a terminal; a line per quarter when stderr is a file or pipe.
  const progress = (done: number, now: string) => {
    if (Date.now() - began < 1000) return;
    const percent = String(Math.round(done * 100)).padStart(3);
    if (!process.stderr.isTTY) {
      if (Math.floor(done * 4) > lastQuarter) {
        lastQuarter = Math.floor(done * 4);
        process.stderr.write(`  simulated ${percent}% (up to ${now})\n`);
      }
      return;
    }
    if (Date.now() - lastDraw < 200) return;
    lastDraw = Date.now();
    const filled = Math.round(done * 30);
    process.stderr.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${percent}%  ${now}`);
  };
  try {
    const tableName = `simulate-${randomUUID()}`;
    await createTable(dynamo.endpoint, tableName);
    const result = await simulate(parsed.data, {
      doc: documentClient(dynamo.endpoint),
      tableName,
      onProgress: progress,
      ...(smsPerSecond ? { smsPerSecond } : {}),
      onEvent: (event) => out.write(`${JSON.stringify(event)}\n`),
    });
    if (lastDraw) process.stderr.write(`\r${' '.repeat(72)}\r`);
    if (out !== process.stdout)
      await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));
    process.stderr.write(
      `\nScenario ${args.scenario}\n${summaryTable(result.events, (Date.now() - began) / 1000)}\n`,
    );
    if (result.jobErrors.length) {
      process.stderr.write(`\n${result.jobErrors.length} job(s) failed:\n`);
      for (const e of result.jobErrors.slice(0, 20))
        process.stderr.write(`  ${e.at} ${e.target}: ${e.error}\n`);
      return 1;
    }
    return 0;
  } finally {
    await dynamo.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`simulate failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
