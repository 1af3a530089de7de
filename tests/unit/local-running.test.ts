import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { portIsBusy } from '../../local/running.ts';

describe('npm start on a busy port', () => {
  it('sees a port another process listens on as busy, and a free one as free', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, r));
    const port = (server.address() as { port: number }).port;
    expect(await portIsBusy(port)).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
    expect(await portIsBusy(port)).toBe(false);
  });
});
