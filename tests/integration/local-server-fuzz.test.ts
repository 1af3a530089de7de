import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localWebApp } from '../../local/web-app.ts';
import { WEB_DIST } from '../../web/build.ts';
import { type LocalRuntime, startLocalRuntime } from '../support/local-runtime.ts';

/**
 * The whole local server as `npm start` runs it (the app, `/local/sms` and the API on one port),
 * fuzzed over HTTP the way a new user or a scanner would: any method, paths built from real and
 * broken segments (`//`, `..`, `%zz`, emoji), odd queries, JSON and non-JSON bodies, any caller.
 * Whatever comes in, no answer is a 5xx.
 */
describe('the local server under odd requests', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startLocalRuntime({
      tickMs: 3_600_000,
      web: localWebApp({ dir: WEB_DIST }),
    });
  });
  afterAll(async () => runtime.stop());

  const segment = fc.oneof(
    fc.constantFrom(
      ...['api', 'programs', 'sunrise', 'clients', 'c-001', 'sessions', 'flags', 'local', 'sms', 'me'],
      ...['screens', 'report', 'timeline', 'messages', 'week-preview', 'assets', 'config.json'],
      ...['%zz', '%', '..', '.', '', '%00', '%2F', '😀', 'index.html'],
    ),
    fc.string({ maxLength: 6 }).map(encodeURIComponent),
  );

  it('answers every request below 500', async () => {
    const fivexx: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        fc.option(fc.string({ maxLength: 20 }).map(encodeURIComponent)),
        fc.option(
          fc.oneof(
            fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
            fc.string({ maxLength: 30 }),
          ),
        ),
        fc.constantFrom('admin', 'clinician:sunrise', 'nurse', undefined),
        fc.boolean(),
        async (method, segments, query, body, caller, page) => {
          const url = `${runtime.url}/${segments.join('/')}${query ? `?${query}=${query}` : ''}`;
          const headers: Record<string, string> = {
            ...(caller ? { 'x-cadence-caller': caller } : {}),
            ...(page ? { accept: 'text/html' } : {}),
          };
          const withBody = body !== null && method !== 'GET' && method !== 'HEAD';
          const res = await fetch(url, { method, headers, ...(withBody ? { body } : {}) });
          await res.arrayBuffer();
          if (res.status >= 500) fivexx.push(`${res.status} ${method} ${url} ${withBody ? body : ''}`);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 600), seed: Number(process.env.FUZZ_SEED ?? 42) },
    );
    expect(fivexx).toEqual([]);
  }, 120_000);
});
