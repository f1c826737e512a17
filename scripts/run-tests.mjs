#!/usr/bin/env node
// Every workspace's `npm test` (run from the workspace's folder): the node:test files under src/,
// sorted, one file at a time, TypeScript through tsx. Arguments ending in .test.ts run just those
// files (`npm test -w @sweeplab/db -- src/migrate.test.ts`); any other argument goes to `node --test`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const chosen = args.filter((a) => a.endsWith('.test.ts'));
const nodeFlags = args.filter((a) => !a.endsWith('.test.ts'));
const files =
  chosen.length > 0
    ? chosen
    : existsSync('src')
      ? readdirSync('src', { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.test.ts'))
          .map((f) => join('src', f))
          .sort()
      : [];
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${join(process.cwd(), 'src')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...nodeFlags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
