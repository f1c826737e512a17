/**
 * `npm run demo`: a real local deployment (Redis, the API, two workers as separate processes) that
 * trains a small CNN-vs-ResNet grid sweep on a slice of real MNIST, shows progress, and prints the
 * comparison report. Everything it stores stays in ./data/demo (SQLite, logs, the HTML report), and
 * in Redis under a prefix of its own (DEMO_REDIS_PREFIX): a deployment on the same Redis and in the
 * same folder keeps its jobs, its database and its lease.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { commonEnv, env, loadEnv, RUN_PARAM_LIMITS } from '@sweeplab/shared';
import { ensureRedis, LocalCluster, type TestRedis } from '@sweeplab/testing';
import { z } from 'zod';

const DemoEnv = z.object({
  REDIS_URL: commonEnv.REDIS_URL,
  /** Not REDIS_PREFIX, which a shell set up for a deployment may export: the demo must not join it. */
  DEMO_REDIS_PREFIX: commonEnv.REDIS_PREFIX.default('sweeplab-demo'),
  DATA_DIR: z.string().default('./data/demo'),
  DEMO_WORKERS: env.intFromEnv(1, 16).default(2),
  // The default size: ≈ 3 minutes on a 2-core machine, and 4 seeds per model, so that the comparison's
  // Welch interval (df ≈ 3) decides it; with 2 seeds (df 1, t = 12.7) a 61-point gap was "not significant".
  DEMO_EPOCHS: env.intFromEnv(1, 100).default(3),
  DEMO_SEEDS: env.intFromEnv(1, 10).default(4),
  /** The seeds are DEMO_FIRST_SEED, DEMO_FIRST_SEED + 1, …: another set asks whether the answer holds. */
  DEMO_FIRST_SEED: env.intFromEnv(0, 1_000_000).default(0),
  DEMO_TRAIN_SUBSET: env
    .intFromEnv(RUN_PARAM_LIMITS.trainSubset.min, RUN_PARAM_LIMITS.trainSubset.max)
    .default(4000),
  DEMO_VAL_SUBSET: env
    .intFromEnv(RUN_PARAM_LIMITS.valSubset.min, RUN_PARAM_LIMITS.valSubset.max)
    .default(1000),
});

const { values: flags } = parseArgs({
  options: { keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
});
if (flags.help) {
  console.log(`npm run demo [-- --keep]

Starts Redis (REDIS_URL if it answers, else a local redis-server), the API and DEMO_WORKERS workers,
submits a grid sweep (cnn, resnet) × DEMO_SEEDS seeds (from DEMO_FIRST_SEED), DEMO_EPOCHS epochs on
DEMO_TRAIN_SUBSET training images, follows it, and prints the report. --keep leaves everything running (Ctrl-C stops).
It keeps to its own Redis key prefix (DEMO_REDIS_PREFIX, default sweeplab-demo) and folder (DATA_DIR,
default ./data/demo), so it never touches a deployment on the same Redis.`);
  process.exit(0);
}
const cfg = loadEnv(DemoEnv);
const dataDir = resolve(cfg.DATA_DIR);

async function redisOrExplain(): Promise<TestRedis> {
  try {
    const redis = await ensureRedis(cfg.REDIS_URL);
    if (redis.owned)
      console.log(`• No Redis answered at ${cfg.REDIS_URL}; started a private redis-server at ${redis.url}`);
    else console.log(`• Using Redis at ${cfg.REDIS_URL}`);
    console.log(
      `• Redis key prefix ${cfg.DEMO_REDIS_PREFIX} (the demo's own; a deployment's default is sweeplab)`,
    );
    return redis;
  } catch (err) {
    const installed = spawnSync('redis-server', ['--version']).status === 0;
    console.error(
      `✗ No Redis answers at ${cfg.REDIS_URL}${installed ? '' : ', and redis-server is not installed'}.`,
    );
    console.error('  Get one of:');
    console.error('    Debian/Ubuntu:  sudo apt-get install -y redis-server');
    console.error('    macOS:          brew install redis');
    console.error('    Docker:         docker run -d -p 6379:6379 redis:7');
    console.error('  or point REDIS_URL at an existing Redis, then run `npm run demo` again.');
    console.error(`  (${(err as Error).message})`);
    process.exit(1);
  }
}

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '   –  ' : `${(x * 100).toFixed(2)}%`;

interface RunRow {
  id: string;
  model: string;
  seed: number;
  status: string;
  epochs: number;
  backend: string | null;
  error: string | null;
}

async function main() {
  const redis = await redisOrExplain();
  console.log('• Starting the API and workers (logs in', join(dataDir, 'logs'), ')');
  const cluster = await LocalCluster.start({
    prefix: cfg.DEMO_REDIS_PREFIX,
    databasePath: join(dataDir, 'orchestrator.db'),
    workers: cfg.DEMO_WORKERS,
    logDir: join(dataDir, 'logs'),
    redis,
    workerEnv: { WORKER_TRAINER: 'tfjs' },
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));

  try {
    console.log(`• API at ${cluster.url} (OpenAPI: ${cluster.url}/docs, dashboard: ${cluster.url}/)`);
    const sweep = {
      name: 'demo: cnn vs resnet on MNIST',
      method: 'grid',
      metric: { name: 'val_acc', goal: 'maximize' },
      parameters: {
        model: { values: ['cnn', 'resnet'] },
        seed: { values: Array.from({ length: cfg.DEMO_SEEDS }, (_, i) => cfg.DEMO_FIRST_SEED + i) },
        lr: { value: 0.1 },
        batch_size: { value: 64 },
        epochs: { value: cfg.DEMO_EPOCHS },
        train_subset: { value: cfg.DEMO_TRAIN_SUBSET },
        val_subset: { value: cfg.DEMO_VAL_SUBSET },
      },
    };
    const submitted = await cluster.fetchJson<{ id: string; runs: { id: string }[] }>('/v1/sweeps', {
      method: 'POST',
      body: JSON.stringify(sweep),
    });
    if (submitted.status !== 201) throw new Error(`sweep was refused: ${JSON.stringify(submitted.body)}`);
    const sweepId = submitted.body.id;
    console.log(
      `• Sweep ${sweepId}: ${submitted.body.runs.length} runs (cnn, resnet × ${cfg.DEMO_SEEDS} seeds), ` +
        `${cfg.DEMO_EPOCHS} epochs on ${cfg.DEMO_TRAIN_SUBSET} training / ${cfg.DEMO_VAL_SUBSET} validation images`,
    );

    const started = Date.now();
    const seen = new Map<string, string>();
    let runs: RunRow[] = [];
    for (;;) {
      const { body } = await cluster.fetchJson<{ counts: Record<string, number>; runs: RunRow[] }>(
        `/v1/sweeps/${sweepId}`,
      );
      for (const run of body.runs) {
        const detail = await cluster.fetchJson<{
          metrics: { epoch: number; val_acc: number; train_loss: number }[];
        }>(`/v1/runs/${run.id}`);
        const last = detail.body.metrics.at(-1);
        const line =
          `${run.model.padEnd(6)} seed ${run.seed}  ${run.status.padEnd(9)} epoch ${last?.epoch ?? 0}/${run.epochs}` +
          (last ? `  train loss ${last.train_loss.toFixed(3)}  val acc ${pct(last.val_acc)}` : '') +
          (run.error && run.status !== 'completed' ? `  error: ${run.error}` : '');
        if (seen.get(run.id) !== line) {
          seen.set(run.id, line);
          console.log(`  [${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}`);
        }
      }
      runs = body.runs;
      const c = body.counts;
      if ((c.queued ?? 0) + (c.running ?? 0) === 0) break;
      await new Promise((r) => setTimeout(r, 2000));
    }

    const report = await fetch(`${cluster.url}/v1/sweeps/${sweepId}/report?format=md`);
    if (report.status === 200) {
      console.log(`\n${await report.text()}`);
      const html = await fetch(`${cluster.url}/v1/sweeps/${sweepId}/report?format=html`);
      const reportDir = join(dataDir, 'reports');
      mkdirSync(reportDir, { recursive: true });
      const file = join(reportDir, `${sweepId}.html`);
      writeFileSync(file, await html.text());
      console.log(`• HTML report: ${file}`);
      console.log(
        `  (while an API runs on this database: ${cluster.url}/v1/sweeps/${sweepId}/report?format=html)`,
      );
    } else {
      console.log(
        `\n• The report endpoint is not available yet (HTTP ${report.status}); the metrics are in the database:`,
      );
      console.log(`  sqlite3 ${join(dataDir, 'orchestrator.db')} "select * from epoch_metrics"`);
    }
    console.log(
      `• Metrics table: sqlite3 ${join(dataDir, 'orchestrator.db')}  or  ${cluster.url}/v1/metrics?sweep_id=${sweepId}&format=csv`,
    );
    console.log(`• ${runs.length} runs in ${Math.round((Date.now() - started) / 1000)} s`);
    const unfinished = runs.filter((r) => r.status !== 'completed');
    if (unfinished.length > 0) {
      console.error(`✗ ${unfinished.length} of ${runs.length} runs did not complete:`);
      for (const r of unfinished)
        console.error(`  ${r.id} (${r.model}, seed ${r.seed}): ${r.status} ${r.error ?? ''}`);
      console.error(`  logs: ${join(dataDir, 'logs')}`);
    }
    if (flags.keep) {
      console.log('• --keep: the API and workers keep running; Ctrl-C stops them.');
      return;
    }
    await stop(unfinished.length > 0 ? 1 : 0);
  } catch (err) {
    console.error(`✗ demo failed: ${(err as Error).message}`);
    console.error(`  logs: ${join(dataDir, 'logs')}`);
    await stop(1);
  }
}

await main();
