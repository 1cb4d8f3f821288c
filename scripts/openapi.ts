// Writes openapi.json from the handlers' zod schemas: `npm run openapi` after changing a schema or a route (test/unit/openapi.test.ts fails until then).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../lambdas/openapi/document';

export const OPENAPI_FILE = join(__dirname, '..', 'openapi.json');

export const renderOpenApi = (): string => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;

if (require.main === module) {
  writeFileSync(OPENAPI_FILE, renderOpenApi());
  console.log(`wrote ${OPENAPI_FILE}`);
}
