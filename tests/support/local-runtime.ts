import { type RuntimeOptions, startRuntime } from '../../local/runtime.ts';
import { freshTable } from './dynamo.ts';

/**
 * The local runtime as `npm start` runs it (the demo clinic seeded, the API on a free port), on a
 * fresh DynamoDB Local table; the options say what a test changes (clock, ticks, the web app).
 */
export async function startLocalRuntime(options: Partial<Omit<RuntimeOptions, 'doc' | 'tableName'>> = {}) {
  const { doc, tableName } = await freshTable();
  return startRuntime({ doc, tableName, port: 0, print: () => undefined, seedDemo: true, ...options });
}

export type LocalRuntime = Awaited<ReturnType<typeof startLocalRuntime>>;
