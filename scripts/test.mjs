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

// System tools the suite uses, from Debian's packages when missing (root only; elsewhere the tests that
// need them fail with a message saying what to install):
// - chromium: the dashboard's browser test (playwright's own browser download needs the internet);
// - docker-compose: validates docker-compose.yml (no Docker engine needed);
// - redis-server: tests start a private one when no Redis answers at REDIS_URL;
// - dataset-fashion-mnist: the Fashion-MNIST reader's test (it skips with this hint when absent);
// - ccache: the Node-line fresh-clone check compiles better-sqlite3 twice per line; with ccache only
//   the first run really compiles (without it, every run does).
const tools = [
  { pkg: 'chromium', present: () => Boolean(process.env.CHROMIUM_PATH) || existsSync('/usr/bin/chromium') },
  { pkg: 'docker-compose', present: () => onPath('docker-compose') },
  { pkg: 'redis-server', present: () => onPath('redis-server') },
  { pkg: 'dataset-fashion-mnist', present: () => existsSync('/usr/share/datasets/fashion-mnist') },
  { pkg: 'ccache', present: () => onPath('ccache') },
];
function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
const missing = tools.filter((t) => !t.present()).map((t) => t.pkg);
if (missing.length > 0 && process.getuid?.() === 0) {
  const apt = (...args) =>
    spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  console.error(`[test] installing ${missing.join(', ')} (Debian packages)`);
  if (!apt('install', '-y', ...missing) && !(apt('update') && apt('install', '-y', ...missing))) {
    console.error(`[test] could not install ${missing.join(', ')}; the tests that need them will fail`);
  }
}

run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
run('npx', ['biome', 'check', '.']);
run(process.execPath, ['scripts/check-workspaces.mjs']);
run('npx', ['turbo', 'run', 'typecheck', 'test', '--concurrency=1', ...process.argv.slice(2)]);
// The other Node.js lines users run: unit tests and the CLI end-to-end test (NODE_LINES=none skips).
run('node', ['scripts/test-node-lines.mjs']);
