import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deletePrefix, LocalCluster, tempDir, testPrefix, waitFor } from '@sweeplab/testing';

interface SweepBody {
  id: string;
  runs: { id: string }[];
}
interface RunBody {
  id: string;
  status: string;
  attempt: number;
  epochs: number;
  metrics: { epoch: number }[];
  backend: string | null;
  error: string | null;
}

let cluster: LocalCluster;
const dir = tempDir('pipeline');
const prefix = testPrefix('pipeline');

before(async () => {
  cluster = await LocalCluster.start({
    prefix,
    databasePath: join(dir.path, 'orchestrator.db'),
    workers: 2,
    logDir: join(dir.path, 'logs'),
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '300', WORKER_HEARTBEAT_MS: '500' },
  });
});

after(async () => {
  await cluster?.stop();
  await deletePrefix(cluster.redis.url, prefix);
  if (!process.env.KEEP_TEST_DIR) dir.remove();
  else console.error(`kept ${dir.path}`);
});

test('a grid sweep flows API → queue → workers → stream → SQLite, every epoch exactly once', async () => {
  const submitted = await cluster.fetchJson<SweepBody>('/v1/sweeps', {
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
    }),
  });
  assert.equal(submitted.status, 201);
  assert.equal(submitted.body.runs.length, 4);

  const sweep = await waitFor(
    'all runs completed',
    async () => {
      const { body } = await cluster.fetchJson<{ counts: Record<string, number>; runs: RunBody[] }>(
        `/v1/sweeps/${submitted.body.id}`,
      );
      return body.counts.completed === 4 ? body : undefined;
    },
    30_000,
  );
  assert.equal(sweep.runs.length, 4);
  const metrics = await cluster.fetchJson<{ total: number; rows: { run_id: string; epoch: number }[] }>(
    `/v1/metrics?sweep_id=${submitted.body.id}`,
  );
  assert.equal(metrics.body.total, 4 * 3);
  const keys = new Set(metrics.body.rows.map((r) => `${r.run_id}:${r.epoch}`));
  assert.equal(keys.size, 12);

  const workers = await cluster.fetchJson<{ workers: { worker_id: string; last_heartbeat: number }[] }>(
    '/v1/workers',
  );
  assert.deepEqual(workers.body.workers.map((w) => w.worker_id).sort(), ['worker-1', 'worker-2']);
  for (const w of workers.body.workers) assert.ok(Date.now() - w.last_heartbeat < 5000);
});

test('cancelling a queued run means it never starts; cancelling a running one stops it and keeps its epochs', async () => {
  // Two long runs occupy both workers, so the third waits in the queue.
  const long = { model: 'cnn', lr: 0.1, epochs: 40 };
  const a = await cluster.fetchJson<RunBody>('/v1/runs', { method: 'POST', body: JSON.stringify(long) });
  const b = await cluster.fetchJson<RunBody>('/v1/runs', { method: 'POST', body: JSON.stringify(long) });
  const queued = await cluster.fetchJson<RunBody>('/v1/runs', {
    method: 'POST',
    body: JSON.stringify({ ...long, seed: 9 }),
  });
  assert.equal(queued.status, 201);
  await waitFor(
    'both long runs running with an epoch',
    async () => {
      const ra = (await cluster.fetchJson<RunBody>(`/v1/runs/${a.body.id}`)).body;
      const rb = (await cluster.fetchJson<RunBody>(`/v1/runs/${b.body.id}`)).body;
      return ra.metrics.length > 0 && rb.metrics.length > 0 ? true : undefined;
    },
    15_000,
  );
  const cancelledQueued = await cluster.fetchJson<RunBody>(`/v1/runs/${queued.body.id}`, {
    method: 'DELETE',
  });
  assert.equal(cancelledQueued.status, 200);
  assert.equal(cancelledQueued.body.status, 'cancelled');

  const before = (await cluster.fetchJson<RunBody>(`/v1/runs/${a.body.id}`)).body.metrics.length;
  const cancelledAt = Date.now();
  await cluster.fetchJson(`/v1/runs/${a.body.id}`, { method: 'DELETE' });
  await cluster.fetchJson(`/v1/runs/${b.body.id}`, { method: 'DELETE' });
  // The workers must free their slots within 2 s: the heartbeat lists no running run.
  await waitFor(
    'workers idle after cancel',
    async () => {
      const { body } = await cluster.fetchJson<{ workers: { running_runs: string[] }[] }>('/v1/workers');
      return body.workers.every((w) => w.running_runs.length === 0) ? true : undefined;
    },
    2_500,
    100,
  );
  assert.ok(Date.now() - cancelledAt < 2_500);
  await new Promise((r) => setTimeout(r, 1000));
  const ra = (await cluster.fetchJson<RunBody>(`/v1/runs/${a.body.id}`)).body;
  assert.equal(ra.status, 'cancelled');
  assert.ok(ra.metrics.length >= before && ra.metrics.length < 40, `kept ${ra.metrics.length} epochs`);
  const rq = (await cluster.fetchJson<RunBody>(`/v1/runs/${queued.body.id}`)).body;
  assert.equal(rq.status, 'cancelled');
  assert.equal(rq.metrics.length, 0);
  assert.equal(rq.backend, null, 'the queued run never started');
});

test('a bad request is refused with the field named, and writes nothing', async () => {
  const before = await cluster.fetchJson<{ runs: unknown[] }>('/v1/runs');
  const bad = await cluster.fetchJson<{ issues: { field: string }[] }>('/v1/runs', {
    method: 'POST',
    body: JSON.stringify({ model: 'vgg', lr: 0, epochs: 1 }),
  });
  assert.equal(bad.status, 400);
  const fields = bad.body.issues.map((i) => i.field).sort();
  assert.deepEqual(fields, ['body.lr', 'body.model']);
  const afterRuns = await cluster.fetchJson<{ runs: unknown[] }>('/v1/runs');
  assert.equal(afterRuns.body.runs.length, before.body.runs.length);
});
