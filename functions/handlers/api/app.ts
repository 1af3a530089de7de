import { zValidator } from '@hono/zod-validator';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { handle } from 'hono/aws-lambda';
import { HTTPException } from 'hono/http-exception';
import * as z from 'zod';
import { redactError } from '../../domain/redact.ts';
import { InvalidCursorError } from '../../ports/repository.port.ts';
import type { Deps } from '../../use-cases/deps.ts';
import { ConflictError, InvalidFieldError, NotFoundError } from '../../use-cases/deps.ts';
import {
  authorizeProgram,
  type Caller,
  callerFromEvent,
  fieldError,
  HttpError,
  issuesOf,
  isThrottle,
  MAX_BODY_BYTES,
  type Route,
} from './http.ts';

type Env = { Bindings: { event: APIGatewayProxyEventV2 }; Variables: { caller: Caller; body: unknown } };
type Issue = { field: string; message: string };

/** `body.phone: …; body.track: …`: every failing field in one message. */
const listed = (issues: Issue[]) => issues.map((i) => `${i.field}: ${i.message}`).join('; ');

const errorJson = (c: Context, status: number, message: string, issues?: Issue[]) =>
  c.json({ message, ...(issues?.length ? { issues } : {}) }, status as 400);

/** Where a validation target is in a request, as the error names it. */
const WHERE = { json: 'body', query: 'query', param: 'path' } as Record<string, 'body' | 'query' | 'path'>;

/** A route without a query schema takes no query; without a body schema, no body (or `{}`). */
export const nothing = z.object({}).strict();

/** The caller may call this route (role), and for this program: 401/403 before anything is read. */
const authorize =
  (route: Route): MiddlewareHandler<Env> =>
  async (c, next) => {
    const caller = callerFromEvent(c.env.event);
    if (!route.roles.some((r) => caller.roles.includes(r)))
      throw new HttpError(403, 'your role may not do this');
    const programId = c.req.param('programId');
    if (programId) authorizeProgram(caller, programId);
    c.set('caller', caller);
    await next();
  };

/** Refuses a body over 256 KB (413) or that is not JSON; a route without a body schema takes none. */
const readBody =
  (route: Route): MiddlewareHandler<Env> =>
  async (c, next) => {
    const raw = await c.req.arrayBuffer();
    if (raw.byteLength > MAX_BODY_BYTES)
      throw fieldError('body', `larger than ${MAX_BODY_BYTES / 1024} KB`, 413);
    if (raw.byteLength > 0) {
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder().decode(raw));
      } catch {
        throw fieldError('body', 'expected JSON');
      }
      if (!route.body) refuseBody(body);
    }
    await next();
  };

function refuseBody(body: unknown): void {
  const result = nothing.safeParse(body);
  if (!result.success) {
    const issues = issuesOf(result.error, 'body');
    throw new HttpError(400, `invalid body: ${listed(issues)}`, issues);
  }
}

function pathPattern(path: string): RegExp {
  const source = path.replace(/\{\w+\}/g, '[^/]+');
  return new RegExp(`^${source}/?$`);
}

/** A failed validation is a 400 naming every failing field of its part of the request. */
const refuseInvalid = (
  result: { success: true } | { success: false; error: z.ZodError; target: string },
  c: Context,
) => {
  if (result.success) return;
  const where = WHERE[result.target] ?? 'body';
  const issues = issuesOf(result.error, where);
  return errorJson(c, 400, `invalid ${where}: ${listed(issues)}`, issues);
};

/**
 * The validators a route declaration stands for, in the order @hono/zod-openapi applies them
 * (query, path, body): docs/openapi.json documents exactly these schemas (openapi.ts).
 */
const validatorsOf = (route: Route): MiddlewareHandler[] => [
  zValidator('query', route.query ?? nothing, refuseInvalid as never),
  ...(route.params ? [zValidator('param', route.params, refuseInvalid as never)] : []),
  ...(route.body ? [zValidator('json', route.body, refuseInvalid as never)] : []),
];

/** `/programs/{programId}` (OpenAPI) as Hono writes it: `/programs/:programId`. */
export const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * The staff API as one Hono app: every declared route is bound to its role check, its schemas
 * (validated by @hono/zod-validator before its handler runs, invalid input a 400 naming the field)
 * and its use case; openapi.ts documents the same declarations with @hono/zod-openapi. The Lambda
 * serves this app without the document generator, which would triple its bundle. Errors become
 * 4xx naming the field or the conflict.
 */
export function createApiApp(routes: readonly Route[], deps: () => Deps): Hono<Env> {
  const app = new Hono<Env>({ strict: false });
  for (const route of routes) {
    if (/\{/.test(route.path) && !route.params)
      throw new Error(`${route.method} ${route.path}: declare params`);
    app.on(
      route.method,
      honoPath(route.path),
      authorize(route),
      readBody(route),
      ...validatorsOf(route),
      async (c) => {
        // Whatever a target's schema made of it (defaults applied); undefined where there is none.
        const valid = (c.req.valid as (target: string) => unknown).bind(c.req);
        const body = await route.run(deps(), {
          params: route.params ? valid('param') : {},
          query: valid('query'),
          body: route.body ? valid('json') : undefined,
          caller: c.get('caller'),
        });
        return c.json(body as never, route.status ?? 200);
      },
    );
  }
  app.notFound((c) => {
    const path = c.req.path;
    const allowed = routes.filter((r) => pathPattern(r.path).test(path)).map((r) => r.method);
    if (allowed.length === 0) return errorJson(c, 404, `no route ${path}`);
    const allow = [...new Set(allowed)].join(', ');
    c.header('allow', allow);
    return errorJson(c, 405, `${c.req.method} is not allowed on ${path}; allowed: ${allow}`);
  });
  app.onError((error, c) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      // `body.id: must match the path` names its field: the issue list says so too.
      const named = /^((?:body|query|path)[\w.[\]]*): (.+)$/s.exec(error.message);
      const issues =
        (error.details as Issue[] | undefined) ??
        (named ? [{ field: named[1]!, message: named[2]! }] : undefined);
      return errorJson(c, error.status, error.message, issues);
    }
    if (error instanceof HTTPException) {
      if (error.status >= 500) return errorJson(c, 500, 'internal error');
      return errorJson(c, error.status, error.message || 'invalid request');
    }
    if (error instanceof InvalidCursorError)
      return errorJson(c, 400, `query.${error.message}`, [
        { field: 'query.cursor', message: 'not a cursor this listing handed out' },
      ]);
    if (error instanceof InvalidFieldError)
      return errorJson(c, 400, error.message, [{ field: error.field, message: error.detail }]);
    if (error instanceof NotFoundError) return errorJson(c, 404, error.message);
    if (error instanceof ConflictError) return errorJson(c, 409, error.message);
    // A schema a use case applies to what the request built (a change merged into a client).
    if (error instanceof z.ZodError) {
      const issues = issuesOf(error, 'body');
      return errorJson(c, 400, listed(issues), issues);
    }
    if (isThrottle(error)) {
      c.header('retry-after', '1');
      return errorJson(c, 503, 'a service Cadence depends on is busy; try again in a moment');
    }
    deps().log.error('unhandled API error', {
      route: `${c.req.method} ${c.req.routePath ?? 'unmatched'}`,
      error: redactError(error),
    });
    return errorJson(c, 500, 'internal error');
  });
  return app;
}

/**
 * The Lambda entry of the app (API Gateway HTTP API, payload v2). Behind CloudFront the API is
 * `/api/*` on the web app's origin; called directly, it is the root. The API speaks JSON only: a
 * body is read as JSON whatever content type it came with. A GET cannot carry a body to Hono, so
 * one is checked here (none, or `{}`).
 */
export function lambdaEntry(app: Hono<Env>) {
  const lambda = handle(app);
  return async (event: APIGatewayProxyEventV2, context?: unknown): Promise<APIGatewayProxyResultV2> => {
    const method = event.requestContext.http.method.toUpperCase();
    const rawPath = event.rawPath.replace(/^\/api(?=\/|$)/, '') || '/';
    const headers = { ...(event.headers ?? {}) };
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-type') delete headers[name];
    let body = event.body;
    if (body && (method === 'GET' || method === 'HEAD')) {
      try {
        const text = event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
        refuseBody(JSON.parse(text));
      } catch (error) {
        const e = error instanceof HttpError ? error : fieldError('body', 'a GET takes no body');
        return {
          statusCode: e.status,
          headers: { 'content-type': 'application/json' },
          body:
            method === 'HEAD'
              ? ''
              : JSON.stringify({
                  message: e.message,
                  issues: e.details ?? [{ field: 'body', message: 'a GET takes no body' }],
                }),
        };
      }
      body = undefined;
    }
    if (body) headers['content-type'] = 'application/json';
    return lambda(
      { ...event, rawPath, headers, body } as never,
      context as never,
    ) as Promise<APIGatewayProxyResultV2>;
  };
}
