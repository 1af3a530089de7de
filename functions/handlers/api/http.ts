import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import type { Deps } from '../../use-cases/deps.ts';
import { issuePath } from '../validation.ts';

export type Role = 'clinician' | 'admin';

/** Who is calling, from the Cognito JWT: groups give the role, `custom:programs` the programs they may see. */
export interface Caller {
  subject: string;
  roles: Role[];
  /** Program ids this caller may read and change; admins may see every program. */
  programs: string[] | 'all';
}

/** What a route's handler gets: its path, query and body as its schemas parsed them, and the caller. */
export interface RouteInput<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One route of the staff API, declared once: its method and path, the roles that may call it, the
 * zod schemas of its path parameters, query and body (which validate the request before `run`
 * sees it), its success status and the schema of that answer. app.ts binds these to Hono routes
 * and the same declarations produce docs/openapi.json, so the document cannot drift from the code.
 */
export interface Route<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** OpenAPI style: `/programs/{programId}`. */
  path: string;
  /** Only these roles may call the route. */
  roles: readonly Role[];
  /** Required when the path has parameters. */
  params?: P;
  /** A route without one takes no query parameter. */
  query?: Q;
  /** A route without one takes no body (or an empty object). */
  body?: B;
  /** The success status (200 unless said) and the schema of the body it answers with. */
  status?: 200 | 201;
  response: z.ZodType;
  /** Calls one use case; whatever it returns is the answer's body. */
  run(deps: Deps, request: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

/** Declares a route: `run` gets its input typed by the route's own schemas. */
export const defineRoute = <
  P extends z.ZodType = z.ZodObject<Record<string, never>>,
  Q extends z.ZodType = z.ZodObject<Record<string, never>>,
  B extends z.ZodType = z.ZodUndefined,
>(
  route: Route<P, Q, B>,
): Route => route as unknown as Route;

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

/** AWS refused the call for its rate (DynamoDB, SNS, Scheduler): the request may simply be repeated. */
export const isThrottle = (error: unknown) =>
  error instanceof Error &&
  (/Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|TooManyRequests/.test(error.name) ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 429);
