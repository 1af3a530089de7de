import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../functions/handlers/api/openapi.ts';
import { routes } from '../../functions/handlers/api/routes.ts';

describe('docs/openapi.json', () => {
  const document = buildOpenApi(routes) as { paths: Record<string, Record<string, Record<string, unknown>>> };

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
});
