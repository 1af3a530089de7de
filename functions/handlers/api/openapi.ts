import * as z from 'zod';
import type { Route } from './http.ts';

/**
 * The OpenAPI 3.1 document of the staff API, built from the routes and their zod schemas: the same
 * schemas that validate requests describe them, so the document cannot drift from the code.
 */
export function buildOpenApi(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const query = route.query
      ? (z.toJSONSchema(route.query, { io: 'input', unrepresentable: 'any' }) as JsonObject)
      : undefined;
    const operation: Record<string, unknown> = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''))}`,
      summary: `${route.method} ${route.path}`,
      security: [{ cognito: [] }],
      'x-cadence-roles': route.roles,
      parameters: [
        ...pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...Object.entries((query?.properties ?? {}) as Record<string, unknown>).map(([name, schema]) => ({
          name,
          in: 'query',
          required: ((query?.required ?? []) as string[]).includes(name),
          schema,
        })),
      ],
      responses: {
        '200': { description: 'OK' },
        '400': { description: 'Invalid input: `issues` names every failing field (body.x, query.y, path.z)' },
        '401': { description: 'No valid token' },
        '403': { description: 'Role or program not allowed' },
        '404': { description: 'Not found' },
        '409': { description: 'Conflict with the current state' },
      },
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: {
          'application/json': { schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) },
        },
      };
    }
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cadence staff API',
      version: '1.0.0',
      description:
        'Programs, clients, sessions, attendance, screens and flags. Send the Cognito ID token as a bearer token; ' +
        'groups clinician/admin give the role, custom:programs the programs a clinician may see.',
    },
    components: { securitySchemes: { cognito: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}

type JsonObject = Record<string, unknown>;
