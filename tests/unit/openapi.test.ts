import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../functions/handlers/api/openapi.ts';
import { routes } from '../../functions/handlers/api/routes.ts';

describe('docs/openapi.json', () => {
  const document = buildOpenApi(routes) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };

  it('is up to date with the routes and their zod schemas (npm run openapi)', () => {
    expect(JSON.parse(readFileSync('docs/openapi.json', 'utf8'))).toEqual(document);
  });

  it('documents every route, with its request body where it has one', () => {
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(Boolean(operation!.requestBody)).toBe(Boolean(route.body));
    }
    const enrol = document.paths['/programs/{programId}/clients']!.post!.requestBody as {
      content: {
        'application/json': { schema: { required: string[]; properties: Record<string, unknown> } };
      };
    };
    expect(enrol.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['id', 'phone', 'track', 'start']),
    );
  });

  it('types ids, zones and dates with patterns and formats, and answers with the real status and schema', () => {
    const enrol = document.paths['/programs/{programId}/clients']!.post! as {
      parameters: { name: string; schema: { pattern?: string } }[];
      requestBody: {
        content: { 'application/json': { schema: { properties: Record<string, JsonSchema> } } };
      };
      responses: Record<string, { content?: unknown }>;
    };
    expect(enrol.parameters.find((p) => p.name === 'programId')!.schema.pattern).toBeDefined();
    const body = enrol.requestBody.content['application/json'].schema.properties;
    expect(body.id!.pattern).toBeDefined();
    expect(body.start!.format).toBe('date');
    expect(enrol.responses['201']!.content).toBeDefined();
    expect(enrol.responses['200']).toBeUndefined();
    const program = document.paths['/programs']!.post! as {
      requestBody: {
        content: { 'application/json': { schema: { properties: Record<string, JsonSchema> } } };
      };
    };
    expect(program.requestBody.content['application/json'].schema.properties.timezone!.pattern).toBeDefined();
    const range = document.paths['/programs/{programId}/clients/{clientId}/sessions']!.get! as {
      parameters: { name: string; schema: JsonSchema }[];
    };
    expect(range.parameters.find((p) => p.name === 'from')!.schema.format).toBe('date-time');
  });

  it('documents the local caller header for the local server', () => {
    const schemes = (document as unknown as { components: { securitySchemes: Record<string, JsonSchema> } })
      .components.securitySchemes;
    expect(schemes.localCaller).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-cadence-caller' });
  });

  it('has a success response schema for every route', () => {
    for (const route of routes) {
      const responses = document.paths[route.path]![route.method.toLowerCase()]!.responses as Record<
        string,
        { content?: unknown }
      >;
      const success = Object.entries(responses).find(([status]) => status.startsWith('2'));
      expect(success?.[1].content, `${route.method} ${route.path}`).toBeDefined();
    }
  });
});

type JsonSchema = { pattern?: string; format?: string; [key: string]: unknown };
