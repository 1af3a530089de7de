import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../support/local-runtime.ts';

const run = promisify(execFile);

/**
 * docs/api.md's day-one tour, run as written (bash and curl) against the local system on a fresh
 * table, on the real clock like `npm start`: a new user with the document alone creates a program,
 * adds a clinician, enrols a client, lists, sees the week, checks in and sees the open flags.
 */
describe('the day-one tour of docs/api.md', () => {
  let runtime: LocalRuntime;
  const script = /## Day one with curl[\s\S]*?```sh\n([\s\S]*?)```/.exec(
    readFileSync('docs/api.md', 'utf8'),
  )![1]!;

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      tickMs: 60_000,
    });
  });
  afterAll(async () => runtime.stop());

  it('runs every command of the block with no error, and does what it says', async () => {
    const api = `${runtime.url}/api`;
    const { stdout } = await run(
      'bash',
      ['-euo', 'pipefail', '-c', script.replace(/^API=.*$/m, `API=${api}`)],
      {
        timeout: 30_000,
      },
    );
    // each JSON answer is on its own; the last is the 403 of a clinician reaching another program
    expect(stdout).toContain('"id":"harbor"');
    expect(stdout).toContain('"sessionsCreated"');
    expect(stdout).toContain('"attendance":"present"');
    expect(stdout).toMatch(/"message":"not allowed for program sunrise"\}\s*$/);
    const { deps } = runtime.system;
    expect((await deps.clients.getClient('harbor', 'c-101'))?.clinicianId).toBe('dr-kim');
    // the program's recurring jobs came with it, no deploy
    expect(runtime.system.scheduler.recurringJobs().some((j) => j.name.includes('harbor'))).toBe(true);
  });
});
