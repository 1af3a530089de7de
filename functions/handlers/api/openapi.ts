import * as z from 'zod';
import type { Route } from './http.ts';
import { errorSchema, successResponses } from './responses.ts';

type JsonObject = Record<string, unknown>;
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
const without$schema = ({ $schema: _, ...rest }: JsonObject) => rest;

const error = (description: string, headers?: JsonObject) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * The OpenAPI 3.1 document of the staff API, built from the routes and their zod schemas: the same
 * schemas that validate requests describe them, so the document cannot drift from the code.
 */
export function buildOpenApi(
  routes: readonly Route[],
  pathParamSchemas: Record<string, z.ZodType> = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const query = route.query ? jsonSchema(route.query, 'input') : undefined;
    const success = successResponses[`${route.method} ${route.path}`];
    const operation: Record<string, unknown> = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''))}`,
      summary: `${route.method} ${route.path}`,
      security: [{ cognito: [] }, { localCaller: [] }],
      'x-cadence-roles': route.roles,
      parameters: [
        ...pathParams.map((name) => ({
          name,
          in: 'path',
          required: true,
          schema: pathParamSchemas[name]
            ? without$schema(jsonSchema(pathParamSchemas[name], 'input'))
            : { type: 'string' },
        })),
        ...Object.entries((query?.properties ?? {}) as Record<string, unknown>).map(([name, schema]) => ({
          name,
          in: 'query',
          required: ((query?.required ?? []) as string[]).includes(name),
          schema,
        })),
      ],
      responses: {
        [String(success?.status ?? 200)]: {
          description: success?.status === 201 ? 'Created' : 'OK',
          ...(success
            ? {
                content: {
                  'application/json': { schema: without$schema(jsonSchema(success.schema, 'output')) },
                },
              }
            : {}),
        },
        '400': error('Invalid input: `issues` names every failing field (body.x, query.y, path.z)'),
        '401': error('No valid token (locally: an unknown x-cadence-caller role)'),
        '403': error('Role or program not allowed'),
        '404': error('Not found'),
        '405': error('Method not allowed on this path', {
          Allow: { description: 'the methods this path allows', schema: { type: 'string' } },
        }),
        '409': error('Conflict with the current state: the message names the conflicting session or item'),
        '413': error('Body larger than 256 KB'),
        '503': error('A service Cadence depends on is busy: try again after Retry-After seconds', {
          'Retry-After': { schema: { type: 'string' } },
        }),
      },
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
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
        'groups clinician/admin give the role, custom:programs the programs a clinician may see. ' +
        'Locally (`npm start`) there is no Cognito: send `x-cadence-caller: admin` or ' +
        '`x-cadence-caller: clinician:programA,programB` instead (default admin; any other role is refused with 401). ' +
        'The Lambda build ignores that header. List routes take `limit` (1-200, default 50) and the `cursor` of the previous page.',
    },
    servers: [
      { url: '/api', description: 'The deployed API behind the care-team web app (Cognito bearer token)' },
      {
        url: 'http://127.0.0.1:{port}',
        description: 'The local build (`npm start`): the x-cadence-caller header stands for the token',
        variables: { port: { default: '3000', description: 'the port npm start prints' } },
      },
    ],
    components: {
      securitySchemes: {
        cognito: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        localCaller: {
          type: 'apiKey',
          in: 'header',
          name: 'x-cadence-caller',
          description:
            'Local build only: `admin`, or `clinician:programA,programB`. Absent means admin; another role is a 401.',
        },
      },
      schemas: { Error: without$schema(jsonSchema(errorSchema, 'output')) },
    },
    paths,
  };
}
