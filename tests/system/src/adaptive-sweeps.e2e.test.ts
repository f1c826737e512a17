import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestCluster, waitFor } from '@sweeplab/testing';
import type { CreatedSweep, RunWithMetrics, SweepDetail, SweepRequest } from './api-bodies.ts';

/*
 * Adaptive sweeps through real processes: an API, two workers on the synthetic trainer (whose
 * response surface makes lr matter; see packages/shared/src/synthetic-response-surface.ts), a real
 * Redis and a SQLite file.
 */

type RungRow = NonNullable<SweepDetail['early_terminate']>['rung_table'][number];

const { cluster } = await startTestCluster('adaptive', {
  workers: 2,
  workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '400', WORKER_HEARTBEAT_MS: '500' },
});

const sweepOf = async (id: string) => {
  const sweep = (await cluster.fetchJson<SweepDetail>(`/v1/sweeps/${id}`)).body;
  // null only for a sweep whose stored config no longer parses.
  assert.ok(sweep.search, `sweep ${id} describes its search`);
  return { ...sweep, search: sweep.search };
};
const metricsOf = async (runId: string) =>
  (await cluster.fetchJson<RunWithMetrics>(`/v1/runs/${runId}`)).body.metrics;

test('hyperband: the bad learning rates are stopped at the first band, told at once, and keep their epoch', async () => {
  const good = [0.1, 0.2, 0.05];
  const bad = [0.001, 0.0005, 0.002];
  const submitted = await cluster.fetchJson<CreatedSweep>('/v1/sweeps', {
    method: 'POST',
    body: JSON.stringify({
      name: 'e2e hyperband',
      method: 'grid',
      metric: { name: 'val_acc', goal: 'maximize' },
      early_terminate: { type: 'hyperband', min_iter: 1, eta: 3 },
      parameters: { model: { value: 'cnn' }, lr: { values: [...good, ...bad] }, epochs: { value: 6 } },
    } satisfies SweepRequest),
  });
  assert.equal(submitted.status, 201);
  const sweep = await waitFor(
    'every run finished',
    async () => {
      const s = await sweepOf(submitted.body.id);
      return (s.counts.queued ?? 0) + (s.counts.running ?? 0) === 0 ? s : undefined;
    },
    60_000,
  );
  assert.deepEqual(sweep.early_terminate?.bands, [1, 3]);
  const stops = new Map(sweep.early_terminate?.stopped.map((s) => [s.run_id, s]));
  for (const run of sweep.runs) {
    if (bad.includes(run.lr)) {
      assert.equal(run.status, 'stopped', `lr ${run.lr}`);
      const stop = stops.get(run.id);
      assert.equal(stop?.band, 1, `lr ${run.lr} stopped at band 1`);
      assert.ok(stop.value < stop.threshold, `lr ${run.lr}: ${stop.value} worse than ${stop.threshold}`);
      assert.ok(
        stop.latency_ms !== null && stop.latency_ms < 2000,
        `told within 2 s (${stop.latency_ms} ms)`,
      );
      // Told before it could finish another epoch (an epoch takes 400 ms): it keeps exactly its first.
      assert.deepEqual(
        (await metricsOf(run.id)).map((m) => m.epoch),
        [1],
        `lr ${run.lr} trained no further`,
      );
    }
    if (run.lr === 0.1) {
      assert.equal(run.status, 'completed', 'the best lr, first at every band, is never stopped');
      assert.equal((await metricsOf(run.id)).length, 6);
    }
  }
  assert.equal(sweep.search.runs_stopped_early, stops.size);
  assert.equal(sweep.search.best_run?.params.lr, 0.1, 'the best run so far is reported');
  const report = await fetch(`${cluster.url}/v1/sweeps/${submitted.body.id}/report?format=md`);
  assert.match(
    await report.text(),
    /stopped early by hyperband after 1 of 6 epochs: .* at band 1, threshold/,
  );
});

test('asha: the bad learning rates are stopped at the first rung against the runs before them; sweep, live view and report show why', async () => {
  const good = [0.1, 0.2, 0.05];
  const bad = [0.001, 0.0005, 0.002];
  const submitted = await cluster.fetchJson<{ id: string }>('/v1/sweeps', {
    method: 'POST',
    body: JSON.stringify({
      name: 'e2e asha',
      method: 'grid',
      metric: { name: 'val_acc', goal: 'maximize' },
      // Rungs 1 and 3 (9 is max_t, where Ray ends a trial instead of judging it).
      early_terminate: { type: 'asha', grace_period: 1, reduction_factor: 3, max_t: 9 },
      parameters: { model: { value: 'cnn' }, lr: { values: [...good, ...bad] }, epochs: { value: 6 } },
    }),
  });
  assert.equal(submitted.status, 201);
  const id = submitted.body.id;
  const sweep = await waitFor(
    'every run finished',
    async () => {
      const s = await sweepOf(id);
      return (s.counts.queued ?? 0) + (s.counts.running ?? 0) === 0 ? s : undefined;
    },
    60_000,
  );
  const best = sweep.runs.find((r) => r.lr === 0.1);
  assert.equal(best?.status, 'completed', 'the best lr is above every cutoff and is never stopped');
  const stops = new Map(sweep.early_terminate?.stopped.map((s) => [s.run_id, s]));
  for (const run of sweep.runs.filter((r) => bad.includes(r.lr))) {
    assert.equal(run.status, 'stopped', `lr ${run.lr}`);
    const stop = stops.get(run.id);
    assert.equal(stop?.rule, 'asha');
    assert.equal(stop.band, 1, `lr ${run.lr} stopped at rung 1`);
    assert.equal(stop.bracket, 0);
    assert.ok(stop.value < stop.threshold, `lr ${run.lr}: ${stop.value} below the cutoff ${stop.threshold}`);
    // Compared with the runs recorded at rung 1 before it: the first two good runs were ahead in the queue.
    assert.ok(stop.compared_run_ids?.includes(best.id), `lr ${run.lr} was compared with lr 0.1`);
    assert.ok(!stop.compared_run_ids?.includes(run.id));
    assert.ok(
      (stop.latency_ms ?? Number.POSITIVE_INFINITY) < 2000,
      `told within 2 s (${stop.latency_ms} ms)`,
    );
    assert.deepEqual(
      (await metricsOf(run.id)).map((m) => m.epoch),
      [1],
      `lr ${run.lr} trained no further`,
    );
  }
  const table = sweep.early_terminate?.rung_table ?? [];
  assert.deepEqual(
    table.map((r) => r.rung),
    [1, 3],
  );
  const [rung1] = table;
  assert.equal(rung1?.reached, 6, 'every run reached rung 1');
  assert.equal(rung1?.stopped, [...stops.values()].filter((s) => s.band === 1).length);
  assert.equal(rung1?.kept, 6 - (rung1?.stopped ?? 0));
  assert.ok(rung1?.threshold !== null);
  assert.equal(sweep.early_terminate?.bands, undefined, 'bands are hyperband’s');

  // The dashboard's sweep page gets the same rung table and the reason of each stop.
  const live = (
    await cluster.fetchJson<{
      early_termination: { rule: string; rungs: RungRow[] };
      runs: { id: string; early_stop: { rule: string; compared_run_ids: string[] } | null }[];
    }>(`/v1/sweeps/${id}/live`)
  ).body;
  assert.equal(live.early_termination.rule, 'asha');
  assert.deepEqual(live.early_termination.rungs, table);
  for (const run of live.runs) {
    assert.deepEqual(run.early_stop?.compared_run_ids, stops.get(run.id)?.compared_run_ids);
  }

  const report = await (await fetch(`${cluster.url}/v1/sweeps/${id}/report?format=md`)).text();
  assert.match(
    report,
    /stopped early by asha after 1 of 6 epochs: .* at rung 1 \(bracket 0\), threshold .*; compared with \d runs/,
  );
  assert.ok(report.includes('## Early termination (asha)'), report);
  assert.ok(report.includes(`| 1 | 6 | ${rung1?.stopped} | ${rung1?.kept} |`), report);
});

test('bayes: two workers get no duplicate configurations, and the search resumes after the API is killed', async () => {
  const submitted = await cluster.fetchJson<CreatedSweep>('/v1/sweeps', {
    method: 'POST',
    body: JSON.stringify({
      name: 'e2e bayes',
      method: 'bayes',
      metric: { name: 'val_acc', goal: 'maximize' },
      run_cap: 8,
      max_concurrent: 2,
      sampler_seed: 7,
      parameters: {
        model: { value: 'cnn' },
        epochs: { value: 2 },
        lr: { distribution: 'log_uniform_values', min: 0.001, max: 1 },
        momentum: { distribution: 'uniform', min: 0, max: 0.95 },
        batch_size: { values: [32, 64, 128] },
      },
    } satisfies SweepRequest),
  });
  assert.equal(submitted.status, 201);
  assert.equal(submitted.body.runs.length, 2, 'max_concurrent runs proposed at once');

  await waitFor(
    '3 runs finished',
    async () => {
      const s = await sweepOf(submitted.body.id);
      return (s.counts.completed ?? 0) >= 3 ? s : undefined;
    },
    60_000,
  );
  await cluster.stopService(cluster.api, 'SIGKILL');
  await cluster.startApi();

  const sweep = await waitFor(
    'the search finished',
    async () => {
      const s = await sweepOf(submitted.body.id);
      return s.search.status === 'finished' ? s : undefined;
    },
    90_000,
  );
  assert.equal(sweep.runs.length, 8);
  assert.equal(sweep.search.runs_proposed, 8);
  assert.equal(sweep.counts.completed, 8);
  assert.equal(sweep.search.observations, 8);
  const configs = sweep.runs.map(
    (r) => `${r.lr.toPrecision(3)}|${r.momentum.toPrecision(3)}|${r.batch_size}`,
  );
  assert.equal(new Set(configs).size, 8, `no duplicate configurations: ${configs.join(', ')}`);
  assert.ok(sweep.search.best_run, 'a best run is reported');
});

test('random without run_cap keeps proposing until DELETE, then proposes nothing more', async () => {
  const submitted = await cluster.fetchJson<CreatedSweep>('/v1/sweeps', {
    method: 'POST',
    body: JSON.stringify({
      name: 'e2e open-ended random',
      method: 'random',
      max_concurrent: 1,
      parameters: {
        model: { value: 'cnn' },
        epochs: { value: 1 },
        lr: { distribution: 'log_uniform_values', min: 0.001, max: 1 },
      },
    } satisfies SweepRequest),
  });
  assert.equal(submitted.status, 201);
  await waitFor(
    '3 runs completed',
    async () => ((await sweepOf(submitted.body.id)).counts.completed ?? 0) >= 3 || undefined,
    30_000,
  );
  const deleted = await cluster.fetchJson(`/v1/sweeps/${submitted.body.id}`, { method: 'DELETE' });
  assert.equal(deleted.status, 200);
  const after = await sweepOf(submitted.body.id);
  assert.equal(after.search.status, 'stopped');
  await new Promise((r) => setTimeout(r, 2500));
  const later = await sweepOf(submitted.body.id);
  assert.equal(later.runs.length, after.runs.length, 'no run proposed after DELETE');
  assert.equal((later.counts.queued ?? 0) + (later.counts.running ?? 0), 0);
  assert.ok(after.runs.length <= after.search.runs_proposed);
});
