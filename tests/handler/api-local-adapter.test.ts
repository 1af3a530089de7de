import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi } from '../../local/http-adapter.ts';

describe('the local HTTP adapter (npm start)', () => {
  const seen: APIGatewayProxyEventV2[] = [];
  const webSeen: string[] = [];
  let base: string;
  let close: () => void;

  beforeAll(async () => {
    const server = await serveApi(
      async (event) => {
        seen.push(event);
        return { statusCode: 200, body: '{}' };
      },
      {
        port: 0,
        // A stand-in for the web app: it takes pages, and leaves the rest to the API.
        web: async (req, res) => {
          webSeen.push(req.url ?? '');
          if (!req.headers.accept?.includes('text/html')) return false;
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<!doctype html>');
          return true;
        },
      },
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  const claims = (e: APIGatewayProxyEventV2) =>
    (e.requestContext as unknown as { authorizer: { jwt: { claims?: Record<string, string> } } }).authorizer
      .jwt.claims;

  it('refuses a body over 256 KB with a 413, before the handler sees it', async () => {
    const before = seen.length;
    const r = await fetch(`${base}/programs`, { method: 'POST', body: 'x'.repeat(300 * 1024) });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { issues: { field: string }[] }).issues[0]!.field).toBe('body');
    expect(seen.length).toBe(before);
  });

  it('passes admin and clinician callers on as claims, and no claims for an unknown role', async () => {
    await fetch(`${base}/me`, { headers: { 'x-cadence-caller': 'clinician:sunrise' } });
    expect(claims(seen.at(-1)!)).toMatchObject({
      'cognito:groups': '[clinician]',
      'custom:programs': 'sunrise',
    });
    await fetch(`${base}/me`, { headers: { 'x-cadence-caller': 'nurse' } });
    expect(claims(seen.at(-1)!)).toBeUndefined();
    await fetch(`${base}/me`);
    expect(claims(seen.at(-1)!)).toMatchObject({ 'cognito:groups': '[admin]' });
  });

  it('gives /api/* to the API and never to the web app; other paths to the web app first', async () => {
    const page = await fetch(`${base}/flags`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toBe('<!doctype html>');
    const before = webSeen.length;
    await fetch(`${base}/api/me`, { headers: { accept: 'text/html' } });
    expect(webSeen.length).toBe(before);
    expect(seen.at(-1)!.rawPath).toBe('/api/me');
    await fetch(`${base}/me`);
    expect(webSeen.at(-1)).toBe('/me');
    expect(seen.at(-1)!.rawPath).toBe('/me');
  });
});
