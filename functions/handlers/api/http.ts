import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { redactError } from '../../domain/redact.ts';
import { InvalidCursorError } from '../../ports/repository.port.ts';
import type { Deps } from '../../use-cases/deps.ts';
import { ConflictError, InvalidFieldError, NotFoundError } from '../../use-cases/deps.ts';
import { issuePath } from '../validation.ts';

export type Role = 'clinician' | 'admin';

/** Who is calling, from the Cognito JWT: groups give the role, `custom:programs` the programs they may see. */
export interface Caller {
  subject: string;
  roles: Role[];
  /** Program ids this caller may read and change; admins may see every program. */
  programs: string[] | 'all';
}

export interface ApiRequest {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  caller: Caller;
}

export interface RouteResult {
  status?: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Only these roles may call the route. */
  roles: Role[];
  /** The zod schemas of its body and query, where it has them (also the source of docs/openapi.json). */
  body?: z.ZodType;
  query?: z.ZodType;
  run(deps: Deps, request: ApiRequest): Promise<RouteResult>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A 400 (or another 4xx) about one field: `body.clinicianId: program has no clinician dr-x`. */
export function fieldError(field: string, message: string, status = 400): HttpError {
  return new HttpError(status, `${field}: ${message}`, [{ field, message }]);
}

/** API Gateway refuses larger payloads; the local server must too, without reading more. */
export const MAX_BODY_BYTES = 256 * 1024;

/** The issues of a zod error, one per field; an unknown key is named as its own field. */
export function issuesOf(error: z.ZodError, where: string): { field: string; message: string }[] {
  return error.issues.flatMap((i) => {
    const base = `${where}.${issuePath(i.path)}`.replace(/\.$/, '');
    if (i.code === 'unrecognized_keys')
      return i.keys.map((key) => ({ field: `${base}.${key}`, message: 'unknown field' }));
    return [{ field: base, message: i.message }];
  });
}

/** Parses part of a request with a zod schema; a failure is a 400 naming every failing field. */
export function parse<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'path',
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = issuesOf(result.error, where);
    throw new HttpError(
      400,
      `invalid ${where}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return result.data;
}

export function authorizeProgram(caller: Caller, programId: string): void {
  if (caller.programs !== 'all' && !caller.programs.includes(programId)) {
    throw new HttpError(403, `not allowed for program ${programId}`);
  }
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  'cognito:groups': z.union([z.string(), z.array(z.string())]).optional(),
  'custom:programs': z.string().optional(),
});

/** The caller from the JWT authorizer's claims (API Gateway HTTP API, Cognito user pool). */
export function callerFromEvent(event: APIGatewayProxyEventV2): Caller {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: unknown } } }).authorizer?.jwt
    ?.claims;
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) throw new HttpError(401, 'missing or invalid token claims');
  const rawGroups = parsed.data['cognito:groups'] ?? [];
  // API Gateway passes list claims as "[a b]" strings
  const groups = Array.isArray(rawGroups) ? rawGroups : rawGroups.replace(/^\[|\]$/g, '').split(/[\s,]+/);
  const roles = groups.filter((g): g is Role => g === 'clinician' || g === 'admin');
  const programs = (parsed.data['custom:programs'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return { subject: parsed.data.sub, roles, programs: roles.includes('admin') ? 'all' : programs };
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of a.entries()) {
    if (part.startsWith('{')) params[part.slice(1, -1)] = decodeURIComponent(b[i]!);
    else if (part !== b[i]) return undefined;
  }
  return params;
}

/** AWS refused the call for its rate (DynamoDB, SNS, Scheduler): the request may simply be repeated. */
const isThrottle = (error: unknown) =>
  error instanceof Error &&
  (/Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|TooManyRequests/.test(error.name) ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 429);

const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Routes an API Gateway v2 event: auth, parse, run, and map errors to 4xx that name the field. */
export async function handleApiEvent(
  routes: Route[],
  deps: Deps,
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  // Behind CloudFront the API is `/api/*` on the web app's origin; called directly, it is the root.
  const path = event.rawPath.replace(/^\/api(?=\/|$)/, '') || '/';
  let found: { route: Route; params: Record<string, string> | undefined } | undefined;
  try {
    const candidates = routes
      .map((r) => ({ route: r, params: matchPath(r.path, path) }))
      .filter((c) => c.params);
    if (candidates.length === 0) throw new HttpError(404, `no route ${path}`);
    found = candidates.find((c) => c.route.method === method);
    if (!found) {
      const allow = [...new Set(candidates.map((c) => c.route.method))].join(', ');
      throw new HttpError(405, `${method} is not allowed on ${path}; allowed: ${allow}`, undefined, {
        allow,
      });
    }
    const caller = callerFromEvent(event);
    if (!found.route.roles.some((r) => caller.roles.includes(r)))
      throw new HttpError(403, 'your role may not do this');
    const params = found.params!;
    if (params.programId) authorizeProgram(caller, params.programId);
    let body: unknown;
    if (event.body) {
      const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
      if (raw.byteLength > MAX_BODY_BYTES)
        throw fieldError('body', `larger than ${MAX_BODY_BYTES / 1024} KB`, 413);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw fieldError('body', 'expected JSON');
      }
    }
    const query = Object.fromEntries(
      Object.entries(event.queryStringParameters ?? {}).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    // Unknown fields are refused on every route alike: a route without a query takes none, a
    // route without a body takes none (or an empty object).
    if (!found.route.query) parse(z.object({}).strict(), query, 'query');
    if (!found.route.body && body !== undefined) parse(z.object({}).strict(), body, 'body');
    const result = await found.route.run(deps, { params, query, body, caller });
    return json(result.status ?? 200, result.body);
  } catch (error) {
    if (error instanceof HttpError) {
      // `body.id: must match the path` names its field: the issue list says so too.
      const named = /^((?:body|query|path)[\w.[\]]*): (.+)$/s.exec(error.message);
      const issues = error.details ?? (named ? [{ field: named[1], message: named[2] }] : undefined);
      return json(error.status, { message: error.message, ...(issues ? { issues } : {}) }, error.headers);
    }
    if (error instanceof InvalidCursorError)
      return json(400, {
        message: `query.${error.message}`,
        issues: [{ field: 'query.cursor', message: 'not a cursor this listing handed out' }],
      });
    if (error instanceof InvalidFieldError)
      return json(400, { message: error.message, issues: [{ field: error.field, message: error.detail }] });
    if (error instanceof NotFoundError) return json(404, { message: error.message });
    if (error instanceof ConflictError) return json(409, { message: error.message });
    // A schema a use case applies to what the request built (a change merged into a client).
    if (error instanceof z.ZodError) {
      const issues = issuesOf(error, 'body');
      return json(400, { message: issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues });
    }
    if (isThrottle(error))
      return json(
        503,
        { message: 'a service Cadence depends on is busy; try again in a moment' },
        { 'retry-after': '1' },
      );
    deps.log.error('unhandled API error', {
      route: `${method} ${found?.route.path ?? 'unmatched'}`,
      error: redactError(error),
    });
    return json(500, { message: 'internal error' });
  }
}
