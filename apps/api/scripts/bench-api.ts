/**
 * HTTP throughput of the API with autocannon: the API process as `npm run api` runs it (started by
 * `packages/testing`, so the load generator does not share its event loop) on a temp database seeded
 * with one finished sweep, and its own Redis prefix.
 *
 *   npm run bench:api -- --duration 10 --connections 10
 */
import { applyRunEvents, closeDatabase, createSweep, migrate, openDatabase } from '@sweeplab/db';
import { REFERENCE_RECIPE, type RunEvent, type RunParams } from '@sweeplab/shared';
import { withTestCluster } from '@sweeplab/testing';
import autocannon from 'autocannon';
import { intFlags, loadavg, machine, table } from './bench-lib.ts';

const HELP = `bench-api: requests/s and latency of the main endpoints (autocannon)
  --duration S      seconds per endpoint (default 10)
  --connections N   concurrent connections (default 10)
  --runs N          runs in the seeded sweep (default 24)
  --epochs E        epochs per seeded run (default 20)`;
const flags = intFlags({ duration: 10, connections: 10, runs: 24, epochs: 20 }, HELP);

// A finished sweep with every epoch recorded, so the report and metrics endpoints have real work to do.
const sweepId = 'swp_00000000benchapi00';
function seed({ databasePath }: { databasePath: string }): void {
  const db = openDatabase(databasePath);
  migrate(db);
  const models = ['cnn', 'resnet', 'plain'] as const;
  const params: RunParams[] = Array.from({ length: flags.runs }, (_, i) => ({
    model: models[i % 3] as RunParams['model'],
    dataset: 'mnist',
    lr: i % 2 === 0 ? 0.01 : 0.1,
    epochs: flags.epochs,
    batch_size: 64,
    seed: i,
    momentum: 0,
    ...REFERENCE_RECIPE,
  }));
  const { runs } = createSweep(db, {
    id: sweepId,
    name: 'bench-api seeded sweep',
    method: 'grid',
    config: { method: 'grid' },
    metric: { name: 'val_acc', goal: 'maximize' },
    runs: params.map((p, i) => ({ id: `run_0000000000bench${String(i).padStart(3, '0')}`, params: p })),
  });
  const base = (runId: string) => ({ run_id: runId, attempt: 1, worker_id: 'bench', at: Date.now() });
  const events: RunEvent[] = runs.flatMap((run, i): RunEvent[] => [
    {
      type: 'started',
      ...base(run.id),
      backend: 'cpu',
      tfjs_version: 'none',
      device: 'synthetic',
      resumed_from_epoch: 0,
    },
    ...Array.from(
      { length: flags.epochs },
      (_, e): RunEvent => ({
        type: 'epoch',
        ...base(run.id),
        metrics: {
          epoch: e + 1,
          train_loss: 2 / (e + 2) + i * 1e-3,
          train_acc: 0.5 + 0.4 * ((e + 1) / flags.epochs),
          val_loss: 2.1 / (e + 2) + i * 1e-3,
          val_acc: 0.5 + 0.45 * ((e + 1) / flags.epochs) - (i % 5) * 1e-3,
          epoch_seconds: 1,
          images_per_second: 1000,
        },
      }),
    ),
    { type: 'completed', ...base(run.id) },
  ]);
  applyRunEvents(db, events);
  closeDatabase(db);
}

await withTestCluster(
  'bench-api',
  {
    workers: 0,
    keepDir: Boolean(process.env.KEEP_BENCH_DIR),
    prepare: seed,
    // The API as `npm run api` runs it, in a process of its own: the load generator here does not
    // share its event loop.
    apiEnv: { LOG_LEVEL: 'warn' },
  },
  async (cluster, { prefix }) => {
    const url = cluster.url;
    const report = await fetch(`${url}/v1/sweeps/${sweepId}/report`);
    const hasReport = report.status === 200;
    const targets: { name: string; method: 'GET' | 'POST'; path: string; body?: string }[] = [
      {
        name: 'POST /v1/runs',
        method: 'POST',
        path: '/v1/runs',
        body: JSON.stringify({ model: 'cnn', lr: 0.1, epochs: 1 }),
      },
      ...(hasReport
        ? [
            {
              name: 'GET /v1/sweeps/:id/report (json)',
              method: 'GET' as const,
              path: `/v1/sweeps/${sweepId}/report`,
            },
            {
              name: 'GET /v1/sweeps/:id/report?format=html',
              method: 'GET' as const,
              path: `/v1/sweeps/${sweepId}/report?format=html`,
            },
          ]
        : []),
      { name: 'GET /v1/sweeps/:id', method: 'GET', path: `/v1/sweeps/${sweepId}` },
      {
        name: 'GET /v1/metrics?sweep_id&limit=100',
        method: 'GET',
        path: `/v1/metrics?sweep_id=${sweepId}&limit=100`,
      },
    ];

    console.log(`# bench:api — ${new Date().toISOString()}`);
    console.log(machine());
    console.log(`Redis ${cluster.redis.url}, key prefix ${prefix} (its own, removed at the end)`);
    console.log(
      `${flags.connections} connections, ${flags.duration} s per endpoint; seeded sweep: ${flags.runs} runs × ${flags.epochs} epochs` +
        (hasReport ? '' : `; GET /v1/sweeps/:id/report answered ${report.status}, so it is not measured`),
    );
    const rows: (string | number)[][] = [];
    for (const t of targets) {
      const r = await autocannon({
        url: `${url}${t.path}`,
        method: t.method,
        connections: flags.connections,
        duration: flags.duration,
        ...(t.body ? { body: t.body, headers: { 'content-type': 'application/json' } } : {}),
      });
      rows.push([
        t.name,
        r.requests.average.toFixed(0),
        r.latency.p50.toFixed(1),
        r.latency.p99.toFixed(1),
        r.requests.total,
        r.non2xx + r.errors + r.timeouts,
      ]);
    }
    console.log();
    console.log(table(['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx/errors'], rows));
    console.log(`\n${loadavg()} at the end`);
  },
);
