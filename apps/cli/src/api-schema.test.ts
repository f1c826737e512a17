import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The chain that keeps the CLI from drifting: the API's routes → apps/api/openapi.json (checked by the
// api's openapi-document test) → src/api-schema.ts (checked here) → the CLI (checked by tsc).
test('src/api-schema.ts is openapi-typescript run on the committed OpenAPI document (npm run generate -w @sweeplab/cli)', () => {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const fresh = execFileSync('npx', ['openapi-typescript', '../api/openapi.json'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  assert.equal(readFileSync(new URL('api-schema.ts', import.meta.url), 'utf8'), fresh);
});
