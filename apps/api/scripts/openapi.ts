// Writes apps/api/openapi.json from the routes (`npm run openapi -w @sweeplab/api`); a test fails while
// the committed file differs from what the server serves, and the CLI's types are generated from it.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, OPENAPI_DOCUMENT_PATH } from '../src/openapi-document.ts';

writeFileSync(OPENAPI_DOCUMENT_PATH, await buildOpenApiDocument());
console.log(`wrote ${fileURLToPath(OPENAPI_DOCUMENT_PATH)}`);
