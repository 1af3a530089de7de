import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { describeIssues } from '../functions/handlers/validation.ts';
import { screensReport } from '../functions/use-cases/screens.ts';
import { documentClient } from './adapters/dynamo-local.ts';
import { localSystem } from './adapters/local-deps.ts';
import { findRunning } from './running.ts';

const argsSchema = z
  .object({
    program: z.string().regex(/^[a-z0-9-]{1,40}$/, { error: 'expected a program id' }),
    from: z.iso.date(),
    to: z.iso.date(),
    table: z
      .string()
      .min(3)
      .default(process.env.TABLE_NAME ?? 'cadence-local'),
    endpoint: z.url().optional(),
    json: z.boolean().default(false),
  })
  .refine((a) => a.from <= a.to, { error: 'expected from on or before to', path: ['to'] });

/**
 * npm run screens:report -- --program ID --from DATE --to DATE [--table NAME] [--endpoint URL] [--json]
 * Reads the stored draws: from the `npm start` running on this machine (found through
 * local/.data/running.json), or with --endpoint, or in AWS with the caller's credentials and TABLE_NAME.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      program: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    for (const line of describeIssues(parsed.error)) console.error(`--${line}`);
    console.error(
      'usage: npm run screens:report -- --program ID --from YYYY-MM-DD --to YYYY-MM-DD [--endpoint URL]',
    );
    return 2;
  }
  const args = parsed.data;
  // Without --endpoint, the system `npm start` is running now, else AWS with the caller's credentials.
  const running = args.endpoint ? undefined : findRunning();
  const endpoint = args.endpoint ?? running?.dynamoEndpoint;
  if (running && !values.table) args.table = running.tableName;
  const doc = endpoint
    ? documentClient(endpoint)
    : DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
      });
  const { deps } = localSystem({
    doc,
    tableName: args.table,
    now: `${new Date().toISOString().slice(0, 19)}Z`,
  });
  const program = await deps.programs.getProgram(args.program);
  if (!program) {
    console.error(`program ${args.program} does not exist in table ${args.table}`);
    return 1;
  }
  const report = await screensReport(deps, program, args.from, args.to);
  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  console.log(
    `Screens for ${program.name} (${program.id}), ${args.from} to ${args.to}: ${report.draws} draws`,
  );
  console.log(`  ${'client'.padEnd(12)} ${'eligible'.padStart(8)} ${'selected'.padStart(8)}  last selected`);
  for (const row of report.clients) {
    console.log(
      `  ${row.clientId.padEnd(12)} ${String(row.eligible).padStart(8)} ${String(row.selected).padStart(8)}  ${row.lastSelected ?? '-'}`,
    );
  }
  console.log(`Never selected: ${report.neverSelected.length ? report.neverSelected.join(', ') : 'nobody'}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`screens:report failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
