import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../web/build.ts';
import { startApp } from './harness.ts';

/** npm start's web handler: pages and assets for the app, everything else for the API. */
describe('the local server: the app and the API on one origin', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp('2027-01-05T15:00:00Z', '2027-01-05T15:00:00Z');
  });
  afterAll(async () => app?.runtime.stop());

  const html = { accept: 'text/html,application/xhtml+xml' };

  it('serves index.html for an app route a browser opens (an alert link), with the security headers', async () => {
    const res = await fetch(`${app.url}/programs/sunrise/clients/c-001`, { headers: html });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('<div id="root">');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('leaves the same path to the API for curl, and /api/* always to the API', async () => {
    const api = await fetch(`${app.url}/programs/sunrise`);
    expect(await api.json()).toMatchObject({ id: 'sunrise' });
    const underApi = await fetch(`${app.url}/api/programs/sunrise`, { headers: html });
    expect(await underApi.json()).toMatchObject({ id: 'sunrise' });
    const post = await fetch(`${app.url}/programs/sunrise/clients`, {
      method: 'POST',
      headers: html,
      body: '{}',
    });
    expect(post.status).toBe(400);
  });

  it('tells the app to sign in locally, and serves the built assets (nothing outside the build)', async () => {
    expect(await (await fetch(`${app.url}/config.json`)).json()).toEqual({ mode: 'local' });
    const asset = readdirSync(join(WEB_DIST, 'assets')).find((f) => f.endsWith('.js'))!;
    const js = await fetch(`${app.url}/assets/${asset}`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    const traversal = await fetch(`${app.url}/assets/..%2F..%2F..%2Fpackage.json`);
    expect(await traversal.text()).not.toContain('"name": "cadence"');
  });

  it('answers a path that does not decode (%zz) with a 4xx, page or not', async () => {
    for (const headers of [html, {}]) {
      const res = await fetch(`${app.url}/%zz`, { headers });
      expect(res.status).toBe(404);
    }
  });
});
