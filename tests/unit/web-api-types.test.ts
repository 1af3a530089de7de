import { readFileSync } from 'node:fs';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('the web app API client', () => {
  it('is generated from the current docs/openapi.json (npm run openapi regenerates both)', async () => {
    const document = JSON.parse(readFileSync(new URL('docs/openapi.json', root), 'utf8'));
    const generated = COMMENT_HEADER + astToString(await openapiTS(document));
    const committed = readFileSync(new URL('web/src/api/openapi.d.ts', root), 'utf8');
    expect(committed === generated, 'web/src/api/openapi.d.ts is stale: run npm run openapi').toBe(true);
  });
});
