import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestCluster, waitFor } from '@sweeplab/testing';
import type {
  ApiError,
  CreatedSweep,
  MetricsPage,
  RunList,
  RunRequest,
  RunWithMetrics,
  SweepDetail,
  SweepRequest,
  WorkerList,
} from './api-bodies.ts';

// Started before the first test, removed after the last (processes, temp folder, Redis keys).
const { cluster } = await startTestCluster('pipeline', {
  workers: 2,
  workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '300', WORKER_HEARTBEAT_MS: '500' },
});

test('a grid sweep flows API → queue → workers → stream → SQLite, every epoch exactly once', async () => {
  const submitted = await cluster.fetchJson<CreatedSweep>('/v1/sweeps', {
    method: 'POST',
    body: JSON.stringify({
      name: 'e2e synthetic',
      method: 'grid',
      parameters: {
        model: { values: ['cnn', 'resnet'] },
        lr: { value: 0.1 },
        seed: { values: [0, 1] },
        epochs: { value: 3 },
      },
    } satisfies SweepRequest),
  });
  assert.equal(submitted.status, 201);
  assert.equal(submitted.body.runs.length, 4);

  const sweep = await waitFor(
    'all runs completed',
    async () => {
      const { body } = await cluster.fetchJson<SweepDetail>(`/v1/sweeps/${submitted.body.id}`);
      return body.counts.completed === 4 ? body : undefined;
    },
    30_000,
  );
  assert.equal(sweep.runs.length, 4);
  const metrics = await cluster.fetchJson<MetricsPage>(`/v1/metrics?sweep_id=${submitted.body.id}`);
  assert.equal(metrics.body.total, 4 * 3);
  const keys = new Set(metrics.body.rows.map((r) => `${r.run_id}:${r.epoch}`));
  assert.equal(keys.size, 12);

  const workers = await cluster.fetchJson<WorkerList>('/v1/workers');
  assert.deepEqual(workers.body.workers.map((w) => w.worker_id).sort(), ['worker-1', 'worker-2']);
  for (const w of workers.body.workers) assert.ok(Date.now() - w.last_heartbeat < 5000);
});

test('cancelling a queued run means it never starts; cancelling a running one stops it and keeps its epochs', async () => {
  // Two long runs occupy both workers, so the third waits in the queue.
  const long: RunRequest = { model: 'cnn', lr: 0.1, epochs: 40 };
  const a = await cluster.fetchJson<RunWithMetrics>('/v1/runs', {
    method: 'POST',
    body: JSON.stringify(long),
  });
  const b = await cluster.fetchJson<RunWithMetrics>('/v1/runs', {
    method: 'POST',
    body: JSON.stringify(long),
  });
  const queued = await cluster.fetchJson<RunWithMetrics>('/v1/runs', {
    method: 'POST',
    body: JSON.stringify({ ...long, seed: 9 }),
  });
  assert.equal(queued.status, 201);
  await waitFor(
    'both long runs running with an epoch',
    async () => {
      const ra = (await cluster.fetchJson<RunWithMetrics>(`/v1/runs/${a.body.id}`)).body;
      const rb = (await cluster.fetchJson<RunWithMetrics>(`/v1/runs/${b.body.id}`)).body;
      return ra.metrics.length > 0 && rb.metrics.length > 0 ? true : undefined;
    },
    15_000,
  );
  const cancelledQueued = await cluster.fetchJson<RunWithMetrics>(`/v1/runs/${queued.body.id}`, {
    method: 'DELETE',
  });
  assert.equal(cancelledQueued.status, 200);
  assert.equal(cancelledQueued.body.status, 'cancelled');

  const before = (await cluster.fetchJson<RunWithMetrics>(`/v1/runs/${a.body.id}`)).body.metrics.length;
  const cancelledAt = Date.now();
  await cluster.fetchJson(`/v1/runs/${a.body.id}`, { method: 'DELETE' });
  await cluster.fetchJson(`/v1/runs/${b.body.id}`, { method: 'DELETE' });
  // The workers must free their slots within 2 s: the heartbeat lists no running run.
  await waitFor(
    'workers idle after cancel',
    async () => {
      const { body } = await cluster.fetchJson<WorkerList>('/v1/workers');
      return body.workers.every((w) => w.running_runs.length === 0) ? true : undefined;
    },
    2_500,
    100,
  );
  assert.ok(Date.now() - cancelledAt < 2_500);
  await new Promise((r) => setTimeout(r, 1000));
  const ra = (await cluster.fetchJson<RunWithMetrics>(`/v1/runs/${a.body.id}`)).body;
  assert.equal(ra.status, 'cancelled');
  assert.ok(ra.metrics.length >= before && ra.metrics.length < 40, `kept ${ra.metrics.length} epochs`);
  const rq = (await cluster.fetchJson<RunWithMetrics>(`/v1/runs/${queued.body.id}`)).body;
  assert.equal(rq.status, 'cancelled');
  assert.equal(rq.metrics.length, 0);
  assert.equal(rq.backend, null, 'the queued run never started');
});

test('a bad request is refused with the field named, and writes nothing', async () => {
  const before = await cluster.fetchJson<RunList>('/v1/runs');
  const bad = await cluster.fetchJson<ApiError>('/v1/runs', {
    method: 'POST',
    body: JSON.stringify({ model: 'vgg', lr: 0, epochs: 1 }),
  });
  assert.equal(bad.status, 400);
  const fields = bad.body.issues.map((i) => i.field).sort();
  assert.deepEqual(fields, ['body.lr', 'body.model']);
  const afterRuns = await cluster.fetchJson<RunList>('/v1/runs');
  assert.equal(afterRuns.body.runs.length, before.body.runs.length);
});
