#!/usr/bin/env node
// The README's test command: installs what is missing, then runs exactly what CI runs.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from './ensure-installed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureInstalled();

function run(cmd, args) {
  console.error(`[test] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run('npx', ['biome', 'check', '.']);
run('npx', ['turbo', 'run', 'typecheck', 'test', '--concurrency=1', ...process.argv.slice(2)]);
