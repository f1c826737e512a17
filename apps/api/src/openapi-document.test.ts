import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deriveOperationId } from './openapi-conventions.ts';
import { buildOpenApiDocument, OPENAPI_DOCUMENT_PATH } from './openapi-document.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the committed openapi.json is what the server serves (regenerate: npm run openapi -w @sweeplab/api)', async () => {
  const served = await buildOpenApiDocument();
  assert.equal(readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8'), served);
});

test('redocly lint (recommended rules) finds no error and no warning in the document', () => {
  const r = spawnSync(
    'npx',
    ['redocly', 'lint', '--config', 'redocly.yaml', '--format', 'json', fileURLToPath(OPENAPI_DOCUMENT_PATH)],
    { cwd: root, encoding: 'utf8' },
  );
  const report = JSON.parse(r.stdout) as {
    totals: { errors: number; warnings: number };
    problems: unknown[];
  };
  assert.deepEqual(
    report.totals,
    { errors: 0, warnings: 0, ignored: 0 },
    JSON.stringify(report.problems, null, 2),
  );
  assert.equal(r.status, 0, r.stderr);
});

test('every operation has a unique operationId, its 4xx responses and a security requirement', () => {
  const doc = JSON.parse(readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8'));
  const ids: string[] = [];
  for (const [path, operations] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const where = `${method.toUpperCase()} ${path}`;
      ids.push(op.operationId as string);
      const statuses = Object.keys(op.responses as object);
      assert.ok(statuses.includes('400'), `${where} documents 400`);
      assert.ok(
        statuses.some((s) => s.startsWith('2')),
        `${where} documents a 2xx`,
      );
      const mutating = method !== 'get';
      assert.deepEqual(op.security, mutating ? [{ bearer: [] }] : [], `${where} security`);
      if (mutating) assert.ok(statuses.includes('401'), `${where} documents 401`);
      if (path.includes('{')) assert.ok(statuses.includes('404'), `${where} documents 404`);
    }
  }
  assert.equal(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.join(', ')}`);
  assert.deepEqual(doc.components.securitySchemes.bearer, {
    type: 'http',
    scheme: 'bearer',
    description: doc.components.securitySchemes.bearer.description,
  });
  assert.deepEqual(
    doc.servers.map((s: { url: string }) => s.url),
    ['/'],
  );
});

test('operationIds derived from method and URL read like method names', () => {
  const cases: [string, string, string][] = [
    ['GET', '/v1/runs', 'listRuns'],
    ['GET', '/v1/runs/:id', 'getRun'],
    ['POST', '/v1/runs', 'createRun'],
    ['DELETE', '/v1/runs/:id', 'deleteRun'],
    ['GET', '/v1/sweeps/:id/report', 'getSweepReport'],
    ['GET', '/v1/runs/:id/artifacts', 'listRunArtifacts'],
    ['GET', '/v1/runs/:id/artifacts/:name', 'getRunArtifact'],
    ['POST', '/v1/runs/:id/predict', 'predictRun'],
    ['GET', '/v1/metrics', 'listMetrics'],
    ['PATCH', '/v1/sweeps/:id', 'updateSweep'],
    ['GET', '/healthz', 'getHealthz'],
  ];
  for (const [method, url, expected] of cases)
    assert.equal(deriveOperationId(method, url), expected, `${method} ${url}`);
});
