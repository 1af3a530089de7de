import { describe, expect, it } from 'vitest';
import {
  SWEEP_CONCURRENCY,
  SWEEP_PAGE,
  SweepIncompleteError,
  sweepEngagement,
} from '../../functions/use-cases/flags.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';
import { aClient, aProgram } from '../support/fixtures.ts';

/**
 * The daily sweep at scale (issue 16): it pages through a program's active clients and evaluates a
 * bounded number at a time; every active client is evaluated once, a failing one does not stop the
 * others, and the job still fails at the end so that its retry evaluates again.
 */
describe('the engagement sweep, page by page with bounded concurrency', () => {
  it('evaluates every active client of several pages once, at most SWEEP_CONCURRENCY at a time', async () => {
    const { doc, tableName } = await freshTable();
    const { deps } = localDeps(doc, tableName, '2027-01-12T10:30:00Z');
    await deps.programs.createProgram(aProgram());
    const active = Array.from({ length: SWEEP_PAGE * 2 + 31 }, (_, i) => `c-${String(i).padStart(4, '0')}`);
    for (const id of active) await deps.clients.createClient('sunrise', aClient({ id }));
    for (const id of ['x-1', 'x-2', 'x-3'])
      await deps.clients.createClient('sunrise', aClient({ id, status: 'discharged' }));

    const evaluated: string[] = [];
    let inFlight = 0;
    let most = 0;
    const listSessionsByClient = deps.sessions.listSessionsByClient.bind(deps.sessions);
    deps.sessions.listSessionsByClient = async (programId, clientId, range) => {
      evaluated.push(clientId);
      most = Math.max(most, ++inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (clientId === 'c-0250') throw new Error('refused');
        return await listSessionsByClient(programId, clientId, range);
      } finally {
        inFlight--;
      }
    };

    const run = sweepEngagement(deps, 'sunrise');
    await expect(run).rejects.toBeInstanceOf(SweepIncompleteError);
    await expect(run).rejects.toThrow(`failed for 1 of ${active.length} clients`);
    expect([...evaluated].sort()).toEqual(active);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(SWEEP_CONCURRENCY);

    // the retry, with the failure gone, evaluates them all again and succeeds
    deps.sessions.listSessionsByClient = listSessionsByClient;
    await expect(sweepEngagement(deps, 'sunrise')).resolves.toMatchObject({ clients: active.length });
  }, 60_000);
});
