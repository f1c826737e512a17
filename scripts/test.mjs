#!/usr/bin/env node
// The README's test command: installs what is missing, then runs exactly what CI runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

// The dashboard's browser test drives Debian's Chromium (playwright's own download needs the internet).
if (!process.env.CHROMIUM_PATH && !existsSync('/usr/bin/chromium') && process.getuid?.() === 0) {
  const apt = (...args) =>
    spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (!apt('install', '-y', 'chromium') && !(apt('update') && apt('install', '-y', 'chromium'))) {
    console.error('[test] could not install chromium; the dashboard browser test will fail');
  }
}

run('npx', ['biome', 'check', '.']);
run('npx', ['turbo', 'run', 'typecheck', 'test', '--concurrency=1', ...process.argv.slice(2)]);
