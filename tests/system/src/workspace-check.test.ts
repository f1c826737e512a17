import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@sweeplab/testing';
// @ts-expect-error plain-JS root script without type declarations
import { checkWorkspaces } from '../../../scripts/check-workspaces.mjs';

const check = checkWorkspaces as (root: string) => string[];
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function write(root: string, path: string, value: unknown) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), typeof value === 'string' ? value : JSON.stringify(value));
}

const scripts = {
  typecheck: 'tsc -p tsconfig.json',
  lint: 'biome check src',
  test: 'node ../../scripts/run-tests.mjs',
};
const tsconfig = { extends: '../../tsconfig.base.json' };

test('this repository passes the workspace check', () => {
  assert.deepEqual(check(repoRoot), []);
});

test('the workspace check names every kind of drift it guards against', () => {
  const dir = tempDir('workspace-check');
  try {
    const root = dir.path;
    write(root, 'package.json', { workspaces: ['apps/*', 'packages/*'], devDependencies: { zod: '^4.6.7' } });
    write(root, 'scripts/run-tests.mjs', '');
    write(root, 'packages/lib/package.json', {
      name: '@sweeplab/lib',
      version: '0.1.0',
      private: true,
      type: 'module',
      exports: { '.': './src/index.ts' },
      scripts,
      dependencies: { zod: '^4.1.5' },
    });
    write(root, 'packages/lib/src/index.ts', '');
    write(root, 'packages/lib/tsconfig.json', tsconfig);
    write(root, 'packages/testing/package.json', {
      name: '@sweeplab/testing',
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts,
    });
    write(root, 'packages/testing/tsconfig.json', tsconfig);
    write(root, 'apps/api/package.json', {
      name: '@sweeplab/api',
      version: '0.1.0',
      private: true,
      type: 'module',
      exports: { '.': './src/index.ts' },
      scripts: {
        ...scripts,
        test: "node --import tsx --test $(find src -name '*.test.ts')",
        start: 'tsx src/main.ts',
      },
      dependencies: { '@sweeplab/lib': '^0.1.0', '@sweeplab/testing': '*', '@sweeplab/nope': '*' },
    });
    const problems = check(root).join('\n');
    assert.match(problems, /apps\/api: script "test" is .* expected the shared form/);
    assert.match(problems, /apps\/api: script "start" runs src\/main\.ts, which does not exist/);
    assert.match(problems, /apps\/api: exports point at \.\/src\/index\.ts, which does not exist/);
    assert.match(problems, /apps\/api: an app has no "exports"/);
    assert.match(problems, /apps\/api: has no tsconfig\.json/);
    assert.match(
      problems,
      /apps\/api: dependencies\.@sweeplab\/lib is "\^0\.1\.0"; internal dependencies are "\*"/,
    );
    assert.match(problems, /apps\/api: @sweeplab\/testing is a test harness/);
    assert.match(problems, /apps\/api: dependencies names @sweeplab\/nope, which is not a workspace/);
    assert.match(
      problems,
      /zod: one version range everywhere, found \^4\.6\.7 \(\(root\)\) vs \^4\.1\.5 \(packages\/lib\)/,
    );
    assert.doesNotMatch(problems, /packages\/lib: exports/, 'an existing export target is fine');
    assert.doesNotMatch(problems, /packages\/testing/, 'a consistent workspace has no problems');
  } finally {
    dir.remove();
  }
});
