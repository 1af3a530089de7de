import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { makeApiHandler } from '../../functions/handlers/api.handler.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';

export type Caller = { groups: string; programs?: string } | null;
export const admin: Caller = { groups: '[admin]' };
export const clinicianOf = (programs: string): Caller => ({ groups: '[clinician]', programs });

/** An API Gateway v2 event as the JWT authorizer passes it. */
export function apiEvent(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; caller?: Caller; query?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const caller = options.caller === undefined ? admin : options.caller;
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    queryStringParameters: options.query,
    headers: {},
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    isBase64Encoded: false,
    requestContext: {
      http: { method, path },
      ...(caller
        ? {
            authorizer: {
              jwt: {
                claims: {
                  sub: 'user-1',
                  'cognito:groups': caller.groups,
                  'custom:programs': caller.programs ?? '',
                },
              },
            },
          }
        : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are read field by field
  body: any;
}

/** Calls the API Lambda handler in process. */
export function apiCaller(deps: () => Deps) {
  const handler = makeApiHandler(deps);
  return async (e: APIGatewayProxyEventV2): Promise<ApiResponse> => {
    const r = (await handler(e, {} as Context)) as APIGatewayProxyStructuredResultV2;
    return {
      status: r.statusCode!,
      headers: (r.headers ?? {}) as Record<string, string>,
      // A HEAD is answered without a body (its status and headers are the GET's).
      body: e.requestContext.http.method === 'HEAD' && !r.body ? undefined : JSON.parse(r.body ?? '{}'),
    };
  };
}
