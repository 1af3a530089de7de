import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi } from '../../local/http-adapter.ts';

describe('the local HTTP adapter (npm start)', () => {
  const seen: APIGatewayProxyEventV2[] = [];
  let base: string;
  let close: () => void;

  beforeAll(async () => {
    const server = await serveApi(
      async (event) => {
        seen.push(event);
        return { statusCode: 200, body: '{}' };
      },
      { port: 0 },
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
});
