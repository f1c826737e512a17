// The README's main command as a new user on another Node.js line meets it: a fresh clone of this
// repository's HEAD, npm configured with another Node's headers (`nodedir`, as an .npmrc with
// `nodedir=/usr` does here), then `npm run demo` (a small one) under that line must exit 0. Offline from
// GitHub, npm ci cannot download better-sqlite3's prebuilt addon and compiles it against the wrong
// headers; the set-up step (scripts/ensure-installed.mjs) must notice and rebuild it for this Node.
// Compilers go through ccache when it is installed (cache in .node-lines/ccache), so reruns compile little.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Small enough for the test run (one run per model, one epoch), large enough to train for real. */
const DEMO_SIZE = {
  DEMO_SEEDS: '1',
  DEMO_EPOCHS: '1',
  DEMO_TRAIN_SUBSET: '256',
  DEMO_VAL_SUBSET: '100',
  DEMO_WORKERS: '1',
};

function ccacheEnv(cacheRoot) {
  if (spawnSync('sh', ['-c', 'command -v ccache'], { stdio: 'ignore' }).status !== 0) return {};
  return { CC: 'ccache gcc', CXX: 'ccache g++', CCACHE_DIR: join(cacheRoot, 'ccache') };
}

/** The demo leaves its jobs and events under its own prefix: this run's prefix is removed (redis-cli). */
function forgetRedisKeys(url, prefix) {
  const script = `redis-cli -u "$1" --scan --pattern "$2:*" | xargs -r redis-cli -u "$1" unlink >/dev/null`;
  spawnSync('sh', ['-c', script, 'sh', url, prefix], { stdio: 'ignore' });
}

/** Returns whether the demo exited 0 having rebuilt the addon npm ci built for the wrong Node. */
export function freshCloneDemo({ root, cache, nodeDir, nodeVersion, wrongNodedir, say }) {
  // One fixed path per line: compiler command lines repeat from run to run, so ccache hits.
  const clone = join(cache, 'fresh-clone');
  rmSync(clone, { recursive: true, force: true });
  const cloned = spawnSync('git', ['clone', '--quiet', root, clone], { stdio: 'inherit' });
  if (cloned.status !== 0) return false;
  say(`Node ${nodeVersion}: npm run demo in a fresh clone, npm's nodedir=${wrongNodedir} (another Node's)`);
  const started = Date.now();
  const { NODE_OPTIONS: _preload, ...inherited } = process.env;
  const env = {
    ...inherited,
    ...DEMO_SIZE,
    ...ccacheEnv(dirname(cache)),
    PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: wrongNodedir,
    // The run's own `npm ci` just put every tarball of this lockfile in npm's cache: revalidating each
    // against the registry only adds its latency (one stall here held npm ci for minutes).
    npm_config_prefer_offline: 'true',
    DEMO_REDIS_PREFIX: `sweeplab-node-lines-${process.pid}-${nodeVersion}`,
    DATA_DIR: join(clone, 'data', 'demo'),
  };
  // A stalled install or demo fails the check instead of holding the test command past CI's limit.
  const r = spawnSync('npm', ['run', 'demo'], {
    cwd: clone,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env,
    timeout: 15 * 60_000,
    killSignal: 'SIGKILL',
  });
  forgetRedisKeys(env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.DEMO_REDIS_PREFIX);
  const output = `${r.stdout}\n${r.stderr}`;
  const seconds = Math.round((Date.now() - started) / 1000);
  const rebuilt = /\[setup\] rebuilt for Node v[\d.]+: .*better-sqlite3/.test(output);
  if (r.status !== 0 || !rebuilt) {
    console.error(output.slice(-12_000));
    say(
      `Node ${nodeVersion}: fresh-clone demo ${r.status === 0 ? 'exited 0 without rebuilding better-sqlite3 (was npm given the wrong headers?)' : `exited ${r.status ?? r.signal}`} after ${seconds} s`,
    );
    return false;
  }
  for (const line of output.split('\n').filter((l) => /^\[setup\]|^• Sweep|Comparison|Table 3/.test(l)))
    say(`  ${line}`);
  say(`Node ${nodeVersion}: fresh-clone demo exited 0 in ${seconds} s`);
  rmSync(clone, { recursive: true, force: true });
  return true;
}
