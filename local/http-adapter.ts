import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

/**
 * Serves an API Gateway v2 (HTTP API) Lambda handler on Node's http server. Locally there is no
 * Cognito: the caller's claims come from the `x-cadence-caller` header (`admin`, or
 * `clinician:programA,programB`), default admin.
 */
export function serveApi(
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>,
  options: { port: number; host?: string },
): Promise<Server> {
  const server = createServer(async (req, res) => {
    try {
      const event = await toEvent(req);
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

function claimsFor(header: string | undefined) {
  const [role, programs] = (header ?? 'admin').split(':');
  return {
    sub: `local-${role}`,
    'cognito:groups': role === 'clinician' ? '[clinician]' : '[admin]',
    'custom:programs': programs ?? '',
  };
}

async function toEvent(req: IncomingMessage): Promise<APIGatewayProxyEventV2> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? '/', 'http://localhost');
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
