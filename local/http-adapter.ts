import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../functions/handlers/api/http.ts';

/**
 * Serves an API Gateway v2 (HTTP API) Lambda handler on Node's http server. Locally there is no
 * Cognito: the caller's claims come from the `x-cadence-caller` header (`admin`, or
 * `clinician:programA,programB`), default admin; any other role is refused (401). A body over
 * 256 KB is refused with a 413 without reading the rest, as API Gateway does.
 */
/**
 * Serves what is not the API (the care-team web app): answers and returns true when the request is
 * its own (a page or an asset), false to let the API have it.
 */
export type WebHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * The request's URL, its target read as a path: `//x/y` is the path `//x/y`, not the host `x` (as
 * `new URL(target, base)` would read it, and throw on `//%23`). Undefined when it is no URL at all.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  const path = target?.startsWith('/') ? target : `/${target ?? ''}`;
  try {
    return new URL(`http://localhost${path}`);
  } catch {
    return undefined;
  }
}

/** The API answers under `/api` (as behind CloudFront in AWS), and at the root for curl. */
export const API_PREFIX = '/api';

export function serveApi(
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>,
  options: { port: number; host?: string; web?: WebHandler },
): Promise<Server> {
  const server = createServer(async (req, res) => {
    try {
      const url = requestUrl(req.url);
      if (!url) {
        res.writeHead(400, { 'content-type': 'application/json', connection: 'close' });
        res.end(
          JSON.stringify({
            message: 'path: not a URL path',
            issues: [{ field: 'path', message: 'not a URL path' }],
          }),
        );
        return;
      }
      const pathname = url.pathname;
      const underApi = pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`);
      if (!underApi && options.web && (await options.web(req, res))) return;
      const event = await toEvent(req);
      if (event === 'too-large') {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(
          JSON.stringify({
            message: `body: larger than ${MAX_BODY_BYTES / 1024} KB`,
            issues: [{ field: 'body', message: `larger than ${MAX_BODY_BYTES / 1024} KB` }],
          }),
        );
        res.on('finish', () => req.destroy());
        return;
      }
      const result = await handler(event);
      const r = typeof result === 'string' ? { statusCode: 200, body: result, headers: {} } : result;
      res.writeHead(r.statusCode ?? 200, {
        'content-type': 'application/json',
        ...(r.headers as Record<string, string>),
      });
      res.end(r.body ?? '');
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: error instanceof Error ? error.message : 'internal error' }));
    }
  });
  return new Promise((resolve) =>
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server)),
  );
}

/** Claims for the local caller header; none (so a 401) for a role other than admin or clinician. */
function claimsFor(header: string | undefined) {
  const [role, programs] = (header ?? 'admin').split(':');
  if (role !== 'admin' && role !== 'clinician') return undefined;
  return {
    sub: `local-${role}`,
    'cognito:groups': `[${role}]`,
    'custom:programs': programs ?? '',
  };
}

async function toEvent(req: IncomingMessage): Promise<APIGatewayProxyEventV2 | 'too-large'> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return 'too-large';
  const chunks = await readBody(req);
  if (chunks === 'too-large') return chunks;
  const url = requestUrl(req.url) ?? new URL('http://localhost/');
  const body = Buffer.concat(chunks).toString('utf8');
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers: Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    ),
    queryStringParameters: Object.fromEntries(url.searchParams),
    body: body || undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: `local-${Date.now()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: {
        jwt: { claims: claimsFor(req.headers['x-cadence-caller'] as string | undefined), scopes: [] },
      },
    },
  } as unknown as APIGatewayProxyEventV2;
}

/** The body's chunks, or 'too-large' as soon as it passes the limit (the rest is never read). */
function readBody(req: IncomingMessage): Promise<Buffer[] | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      resolve('too-large');
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks));
    req.on('error', reject);
  });
}
