import { writeFileSync } from 'node:fs';
import { buildOpenApi } from '../functions/handlers/api/openapi.ts';
import { routes } from '../functions/handlers/api/routes.ts';

/** npm run openapi: regenerates docs/openapi.json from the routes' zod schemas. */
writeFileSync('docs/openapi.json', `${JSON.stringify(buildOpenApi(routes), null, 2)}\n`);
console.log(`docs/openapi.json: ${routes.length} operations`);
