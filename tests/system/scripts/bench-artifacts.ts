/**
 * What keeping weights costs, per model: checkpoint and artifact sizes, the worker's epoch commit with
 * and without an artifact (one Lua script on Redis), and the API storing it (read the blob, convert to
 * safetensors, sha256, temp file + fsync + rename + folder fsync, row). Real checkpoints of a trained
 * epoch, real Redis, real SQLite file.
 *
 *   npm run bench:artifacts -- [--repeats 10]
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRun, getArtifact } from '@sweeplab/db';
import { initBackend, trainRun } from '@sweeplab/models';
import { decodeSafetensors } from '@sweeplab/models/export';
import { createLogger, type EpochMetrics, type RunEvent, RunParams } from '@sweeplab/shared';
import { deletePrefix, ensureRedis, tempDir, testPrefix } from '@sweeplab/testing';
import { createApiContext } from '../../../apps/api/src/api-context.ts';
import { loadApiConfig } from '../../../apps/api/src/config.ts';
import { RunStateStore } from '../../../apps/worker/src/run-state-store.ts';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '10' } } });
const repeats = Number(values.repeats);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = tempDir('bench-artifacts');
const server = await ensureRedis();
const prefix = testPrefix('bench-artifacts');
// The API's own wiring (database, artifact store, ingester as `npm run api` builds them), without its
// HTTP server or ingest loop: each step below is timed alone, then the ingester is drained by hand.
const ctx = createApiContext(
  loadApiConfig({
    DATABASE_PATH: join(dir.path, 'orchestrator.db'),
    REDIS_URL: server.url,
    REDIS_PREFIX: prefix,
    ARTIFACT_KEEP: 'all',
  }),
  createLogger('bench-artifacts', 'warn'),
);
const { db, keys, redis, artifacts } = ctx;
const ingester = ctx.ingester!;
await ctx.lease!.acquire();
await artifacts.init();
await redis.xgroup('CREATE', keys.events, keys.eventsGroup, '0', 'MKSTREAM');
const runState = new RunStateStore(redis, keys, 3_600_000);
await initBackend('auto');

console.log(`# bench:artifacts — ${new Date().toISOString()}, ${repeats} repeats, median`);
console.log(
  `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  '| model | checkpoint | safetensors | JSON | epoch commit | commit + artifact | API store (convert, hash, write, fsync, row) |',
);
console.log('|---|---|---|---|---|---|---|');
try {
  for (const model of ['resnet', 'cnn'] as const) {
    const params = RunParams.parse({ model, lr: 0.1, epochs: 1, train_subset: 64, val_subset: 10 });
    let trained: { metrics: EpochMetrics; checkpoint: Uint8Array } | undefined;
    await trainRun({
      params,
      onEpoch: async (metrics, checkpoint) => {
        trained = { metrics, checkpoint };
      },
    });
    const { metrics, checkpoint } = trained!;
    const commitMs: number[] = [];
    const commitArtifactMs: number[] = [];
    const storeMs: number[] = [];
    let sha256 = '';
    for (let i = 0; i < repeats; i++) {
      const runId = `run_bench_${model}_${i}`;
      createRun(db, { id: runId, params });
      const { attempt } = await runState.claim(runId);
      const base = { run_id: runId, attempt, worker_id: 'bench', at: Date.now() };
      const epochEvent: Extract<RunEvent, { type: 'epoch' }> = { type: 'epoch', ...base, metrics };
      let t = performance.now();
      await runState.commitEpoch(runId, attempt, 1, checkpoint, epochEvent);
      commitMs.push(performance.now() - t);
      const artifact = {
        type: 'artifact' as const,
        ...base,
        kind: 'final' as const,
        epoch: 1,
        metric_name: 'val_acc',
        metric_value: metrics.val_acc,
        val_acc: metrics.val_acc,
        // Different per repeat so that every store writes a new file (content addressing would skip it).
        code_version: `bench-${i}`,
      };
      t = performance.now();
      // NaN is never "best": the commit carries exactly one artifact, the final one.
      await runState.commitEpoch(runId, attempt, 1, checkpoint, epochEvent, {
        metricValue: Number.NaN,
        goal: 'maximize',
        best: { ...artifact, kind: 'best' },
        final: artifact,
      });
      commitArtifactMs.push(performance.now() - t);
      // The store of one artifact, timed alone (the ingester would do the same for the event).
      t = performance.now();
      const outcome = await artifacts.ingest(artifact);
      storeMs.push(performance.now() - t);
      if (outcome !== 'stored') throw new Error(`storing the artifact: ${outcome}`);
      await ingester.drain(); // the epoch events, and the artifact event again (a duplicate now)
      sha256 = getArtifact(db, runId, 'final')!.sha256;
    }
    const file = readFileSync(artifacts.pathOf(sha256));
    const { tensors, metadata } = decodeSafetensors(file);
    // What GET /v1/runs/:id/weights?format=json sends: the same tensors as JSON numbers.
    const jsonBytes = Buffer.byteLength(
      JSON.stringify({
        metadata,
        tensors: Object.fromEntries(
          tensors.map((t) => [t.name, { shape: t.shape, data: Array.from(t.values) }]),
        ),
      }),
    );
    const safetensorsBytes = file.length;
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    console.log(
      `| ${model} | ${kb(checkpoint.length)} | ${kb(safetensorsBytes)} | ~${kb(jsonBytes)} | ${median(commitMs).toFixed(1)} ms | ${median(commitArtifactMs).toFixed(1)} ms | ${median(storeMs).toFixed(1)} ms |`,
    );
  }
} finally {
  await ctx.close();
  await deletePrefix(server.url, prefix);
  await server.stop();
  dir.remove();
}
