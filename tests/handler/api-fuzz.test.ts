import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/handlers/api/routes.ts';
import {
  type ApiResponse,
  admin,
  apiCaller,
  apiEvent,
  type Caller,
  clinicianOf,
} from '../support/api-events.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';
import { arbitraryOf, type JsonSchema } from '../support/json-schema-arbitrary.ts';

type Parameter = { name: string; in: 'path' | 'query'; required?: boolean; schema: JsonSchema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
};

/**
 * A property-based fuzz of the whole API (issue 13): requests built from every route's valid
 * example and then broken every way a new user or a fuzzer would (random JSON, wrong types, huge
 * arrays, odd strings, unknown fields, bad path parameters, every method on every path). Whatever
 * comes in: no 5xx, a 4xx names a field or the conflict, a 2xx matches its response schema.
 */
const PROGRAM = 'sunrise';
const program = {
  id: PROGRAM,
  name: 'Sunrise',
  timezone: 'America/New_York',
  tracks: [
    {
      id: 'evening',
      groups: [{ days: ['MON', 'TUE', 'THU'], start: '18:00', minutes: 180, topic: 'skills' }],
    },
  ],
  individual: { perWeek: 1, minutes: 60 },
};
const clientBody = (id: string) => ({
  id,
  phone: '+12025550101',
  track: 'evening',
  clinicianId: 'dr-lee',
  start: '2027-01-04',
  smsConsent: true,
});

/** Valid examples of every path parameter, body and query, by name and route. */
const examples = {
  params: {
    programId: [PROGRAM, 'harbor'],
    clientId: ['c-001', 'c-002', 'c-missing'],
    clinicianId: ['dr-lee', 'dr-kim'],
    sessionId: [] as string[],
    flagId: ['f-missing'],
    date: ['2027-01-04', '2027-01-05'],
  } as Record<string, string[]>,
  bodies: {
    'POST /programs': [{ ...program, id: 'harbor' }, program],
    'PUT /programs/{programId}': [program],
    'PUT /programs/{programId}/clinicians/{clinicianId}': [
      { id: 'dr-kim', availability: [{ days: ['MON'], start: '09:00', end: '17:00' }] },
    ],
    'POST /programs/{programId}/clients': [clientBody('c-010'), clientBody('c-011')],
    'PATCH /programs/{programId}/clients/{clientId}': [{ busy: [] }, { phase: null }, { adolescent: true }],
    'POST /programs/{programId}/sessions/{sessionId}/attendance': [
      { status: 'present' },
      { status: 'excused' },
    ],
    'POST /programs/{programId}/sessions/{sessionId}/reschedule': [{ start: '2027-01-07T16:00:00Z' }],
    'POST /programs/{programId}/clients/{clientId}/consent': [
      { givenAt: '2027-01-04T14:00:00Z', method: 'written' },
    ],
    'POST /programs/{programId}/clients/{clientId}/opt-in': [
      { givenAt: '2027-01-04T14:00:00Z', method: 'verbal' },
    ],
    'POST /programs/{programId}/clients/{clientId}/discharge': [{}, { status: 'completed' }],
    'POST /programs/{programId}/screens/results': [
      { clientId: 'c-001', date: '2027-01-04', result: 'negative' },
    ],
    'POST /programs/{programId}/flags/{flagId}/resolve': [{ note: 'called back' }],
  } as Record<string, unknown[]>,
  queries: {
    'GET /programs/{programId}/sessions': [
      { week: '2027-W01' },
      { from: '2027-01-04', to: '2027-01-10', limit: '3' },
    ],
    'GET /programs/{programId}/clients/{clientId}/sessions': [{}, { from: '2027-01-04T00:00:00Z' }],
    'GET /programs/{programId}/screens/report': [{ from: '2027-01-01', to: '2027-01-31' }],
    'GET /programs/{programId}/flags': [{}, { severity: 'critical' }],
    'GET /programs/{programId}/clients': [{}, { status: 'active', limit: '1' }],
    'GET /programs': [{}, { limit: '1' }],
  } as Record<string, Record<string, string>[]>,
};

const oddString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '%2F',
    '../../etc',
    '0',
    '-1',
    '1e309',
    'null',
    '__proto__',
    'a'.repeat(300),
    '😀',
    '\u0000',
  ),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const wrongType = fc.oneof(
  anyJson,
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** A valid example broken in one way: a field replaced, removed or added, or the whole body swapped. */
function mutated(example: unknown): fc.Arbitrary<unknown> {
  const record =
    example && typeof example === 'object' && !Array.isArray(example)
      ? (example as Record<string, unknown>)
      : {};
  const keys = Object.keys(record);
  return fc.oneof(
    fc.constant(example),
    anyJson,
    ...(keys.length > 0
      ? [
          fc.tuple(fc.constantFrom(...keys), wrongType).map(([k, v]) => ({ ...record, [k]: v })),
          fc.tuple(fc.constantFrom(...keys), oddString).map(([k, v]) => ({ ...record, [k]: v })),
          fc
            .constantFrom(...keys)
            .map((k) => Object.fromEntries(Object.entries(record).filter(([x]) => x !== k))),
          fc.tuple(fc.constantFrom(...keys), fc.integer({ min: 1000, max: 30_000 })).map(([k, n]) => ({
            ...record,
            [k]: Array.from({ length: n }, () => '2027-01-01'),
          })),
        ]
      : []),
    fc.tuple(oddString, anyJson).map(([k, v]) => ({ ...record, [k || 'x']: v })),
  );
}

/** The route pattern as a regular expression over concrete (encoded) paths. */
const pattern = (routePath: string) => new RegExp(`^${routePath.replace(/\{\w+\}/g, '[^/]+')}$`);

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

describe('API fuzz', () => {
  let call: (e: ReturnType<typeof apiEvent>) => Promise<ApiResponse>;

  beforeAll(async () => {
    const { doc, tableName } = await freshTable();
    const ctx = localDeps(doc, tableName, '2027-01-04T15:00:00Z');
    const raw = apiCaller(() => ctx.deps);
    call = raw;
    await raw(apiEvent('POST', '/programs', { body: program }));
    await raw(
      apiEvent('PUT', `/programs/${PROGRAM}/clinicians/dr-lee`, {
        body: { id: 'dr-lee', availability: [{ days: ['TUE', 'THU'], start: '10:00', end: '16:00' }] },
      }),
    );
    for (const id of ['c-001', 'c-002'])
      await raw(apiEvent('POST', `/programs/${PROGRAM}/clients`, { body: clientBody(id) }));
    const sessions = await raw(
      apiEvent('GET', `/programs/${PROGRAM}/sessions`, { query: { week: '2027-W01' } }),
    );
    examples.params.sessionId = sessions.body.sessions
      .map((s: { sessionId: string }) => s.sessionId)
      .slice(0, 4);
  });

  const routeRequest =
    // a route, its parameters valid or odd, its body and query valid or broken
    fc.constantFrom(...routes).chain((route) => {
      const key = `${route.method} ${route.path}`;
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const param = (name: string) =>
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...(examples.params[name] ?? ['x'])) },
          { weight: 1, arbitrary: oddString },
        );
      const bodies = examples.bodies[key] ?? [undefined];
      const queries = examples.queries[key] ?? [{}];
      return fc.record({
        method: fc.constant<string>(route.method),
        params: fc.tuple(...names.map(param)),
        path: fc.constant(route.path),
        body: fc.oneof(
          { weight: 2, arbitrary: fc.constantFrom(...bodies) },
          { weight: 3, arbitrary: fc.constantFrom(...bodies).chain(mutated) },
        ),
        query: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...queries) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.constantFrom(...queries), oddString, oddString)
              .map(([q, k, v]) => ({ ...q, [k || 'k']: v })),
          },
          {
            weight: 1,
            arbitrary: fc
              .tuple(
                fc.constantFrom(...queries),
                fc.constantFrom('from', 'to', 'week', 'limit', 'cursor', 'status', 'severity'),
                oddString,
              )
              .map(([q, k, v]) => ({ ...q, [k]: v })),
          },
        ),
        caller: fc.constantFrom<Caller>(
          admin,
          admin,
          clinicianOf(PROGRAM),
          clinicianOf('harbor'),
          { groups: '[nobody]' },
          null,
        ),
      });
    });
  const request = fc.oneof(
    { weight: 4, arbitrary: routeRequest },
    // every method on every path, and paths that are not there
    {
      weight: 1,
      arbitrary: fc.record({
        method: fc.constantFrom<string>(...methods),
        params: fc.constant([] as string[]),
        path: fc.oneof(
          fc.constantFrom(
            ...routes.map((r) => r.path.replace(/\{programId\}/, PROGRAM).replace(/\{(\w+)\}/g, 'x')),
          ),
          oddString.map((s) => `/${s}`),
        ),
        body: fc.oneof(fc.constant(undefined), anyJson),
        query: fc.constant({} as Record<string, string>),
        caller: fc.constant<Caller>(admin),
      }),
    },
  );

  /** Every operation of the document: its path and query parameters and its body, as JSON Schema. */
  const document = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, JsonSchema> };
  };
  const components = document.components.schemas;
  const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({
      path,
      method: method.toUpperCase(),
      operation,
    })),
  );
  const documentRequest = fc.constantFrom(...operations).chain(({ path, method, operation }) => {
    const parameters = operation.parameters ?? [];
    const param = (p: Parameter) =>
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...(examples.params[p.name] ?? ['x'])) },
        { weight: 1, arbitrary: arbitraryOf(p.schema, components) as fc.Arbitrary<string> },
      );
    const queryParams = parameters.filter((p) => p.in === 'query');
    const query = fc.record(
      Object.fromEntries(
        queryParams.map((p) => [p.name, arbitraryOf(p.schema, components) as fc.Arbitrary<string>]),
      ),
      { requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name) },
    );
    const bodySchema = operation.requestBody?.content['application/json'].schema;
    const documented = bodySchema ? arbitraryOf(bodySchema, components) : fc.constant(undefined);
    return fc.record({
      method: fc.constant(method),
      params: fc.tuple(...parameters.filter((p) => p.in === 'path').map(param)),
      path: fc.constant(path),
      body: fc.oneof(
        { weight: 3, arbitrary: documented },
        { weight: 1, arbitrary: documented.chain(mutated) },
      ),
      query: query as fc.Arbitrary<Record<string, string>>,
      caller: fc.constantFrom<Caller>(admin, admin, clinicianOf(PROGRAM)),
    });
  });

  type Request = {
    method: string;
    params: string[];
    path: string;
    body: unknown;
    query: Record<string, string>;
    caller: Caller;
  };
  const seen: Record<number, number> = {};
  /** Sends one request and holds its answer to the rules: no 5xx, named 4xx, a 2xx as documented. */
  async function exercise(r: Request) {
    let i = 0;
    const path = r.path.replace(/\{(\w+)\}/g, () => encodeURIComponent(r.params[i++] ?? 'x'));
    const response = await call(
      apiEvent(r.method, path, {
        ...(r.body === undefined ? {} : { rawBody: JSON.stringify(r.body) }),
        caller: r.caller,
        query: r.query,
      }),
    );
    // a deleted program comes back, so the rest of the run still reaches the routes beyond it
    if (r.method === 'DELETE' && response.status === 200 && r.params[0] === PROGRAM)
      await call(apiEvent('POST', '/programs', { body: program }));
    if (process.env.FUZZ_LOG) console.log(response.status, r.method, path);
    seen[Math.floor(response.status / 100)] = (seen[Math.floor(response.status / 100)] ?? 0) + 1;
    const where = `${r.method} ${path} ${JSON.stringify(r.query)} ${JSON.stringify(r.body)?.slice(0, 200)}`;
    expect(response.status, `${where} -> ${JSON.stringify(response.body)}`).toBeLessThan(500);
    if (r.method === 'HEAD') expect(response.body, where).toBeUndefined();
    else if (response.status >= 400) {
      expect(typeof response.body.message, where).toBe('string');
      expect(response.body.message.length, where).toBeGreaterThan(0);
      if (response.status === 400 || response.status === 413) {
        expect(response.body.issues?.length, `${where} -> ${response.body.message}`).toBeGreaterThan(0);
        for (const issue of response.body.issues)
          expect(issue.field, where).toMatch(/^(body|query|path)(\.|\[|$)/);
      }
      if (response.status === 405) expect(response.headers.allow, where).toBeTruthy();
    } else {
      const route = routes.find(
        (x) =>
          x.method === r.method &&
          // as a URL resolves it: `/programs/p/flags/..` is `/programs/p`
          pattern(x.path).test(
            `/${new URL(path, 'https://api.example').pathname.split('/').filter(Boolean).join('/')}`,
          ),
      );
      expect(route, where).toBeDefined();
      expect(response.status, where).toBe(route!.status ?? 200);
      const parsed = route!.response.safeParse(response.body);
      expect(parsed.success, `${where}: ${parsed.error?.message}`).toBe(true);
    }
  }

  it('never answers 5xx; a 4xx names a field or the conflict; a 2xx matches its response schema', async () => {
    await fc.assert(fc.asyncProperty(request, exercise), {
      numRuns: Number(process.env.FUZZ_RUNS ?? 700),
      seed: Number(process.env.FUZZ_SEED ?? 1300),
    });
    // the fuzz reached the routes' success paths as well as their refusals
    expect(seen[2] ?? 0).toBeGreaterThan(20);
    expect(seen[4] ?? 0).toBeGreaterThan(100);
  }, 60_000);

  it('holds the same rules for requests built from docs/openapi.json alone, as documented and broken', async () => {
    const before = { ...seen };
    await fc.assert(fc.asyncProperty(documentRequest, exercise), {
      numRuns: Number(process.env.FUZZ_RUNS ?? 700) / 2,
      seed: Number(process.env.FUZZ_SEED ?? 1300) + 1,
    });
    // what the document alone describes gets through too, not only refusals
    expect((seen[2] ?? 0) - (before[2] ?? 0)).toBeGreaterThan(10);
  }, 60_000);
});
