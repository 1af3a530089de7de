import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import * as z from 'zod';

/** Where a running `npm start` says how to reach it, so local tools find it without flags. */
export const RUNNING_FILE = resolve('local/.data/running.json');

const runningSchema = z.object({
  pid: z.number().int(),
  port: z.number().int(),
  dynamoEndpoint: z.url(),
  tableName: z.string().min(1),
});
export type Running = z.infer<typeof runningSchema>;

export function writeRunning(running: Running): void {
  writeFileSync(RUNNING_FILE, `${JSON.stringify(running, null, 2)}\n`);
}

export function clearRunning(): void {
  rmSync(RUNNING_FILE, { force: true });
}

/** The local system `npm start` is running now, if any (a file left by a killed one is ignored). */
export function findRunning(): Running | undefined {
  if (!existsSync(RUNNING_FILE)) return undefined;
  const parsed = runningSchema.safeParse(JSON.parse(readFileSync(RUNNING_FILE, 'utf8')));
  if (!parsed.success) return undefined;
  try {
    process.kill(parsed.data.pid, 0);
    return parsed.data;
  } catch {
    return undefined;
  }
}

/** Whether something already listens on the port (another npm start, another server). */
export function portIsBusy(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(true));
    server.listen(port, () => server.close(() => resolvePromise(false)));
  });
}
