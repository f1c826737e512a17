import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '@sweeplab/testing';
import { runSweeplab } from './sweeplab-process.ts';
import { useSyntheticCluster } from './synthetic-cluster.ts';

/*
 * Issue #29: every method makes runs the same way, whether the file sweeps `model`, leaves it to the
 * reference default, or uses W&B's names; and a search that stops before its cap says why, in the API
 * and the CLI. A real API and two real workers (synthetic trainer), a real Redis and SQLite file.
 */

interface RunBody {
  id: string;
  status: string;
  model: string;
  lr: number;
  batch_size: number;
  epochs: number;
}
interface SweepBody {
  id: string;
  total_runs: number;
  runs: RunBody[];
  search: { status: string | null; reason: string | null; runs_proposed: number } | null;
}

const clusterOf = useSyntheticCluster('sweep-methods', { workers: 2, epochMs: 50 });

const sweepOf = async (id: string) => (await clusterOf().fetchJson<SweepBody>(`/v1/sweeps/${id}`)).body;

const METHODS = {
  grid: { method: 'grid' },
  'random with run_cap': { method: 'random', run_cap: 2 },
  'random without run_cap': { method: 'random', max_concurrent: 2 },
  bayes: { method: 'bayes', run_cap: 3, max_concurrent: 2 },
} as const;

const MODEL_VARIANTS = {
  'model swept': {
    metric: { name: 'val_acc', goal: 'maximize' },
    parameters: {
      model: { values: ['cnn', 'plain'] },
      lr: { values: [0.05, 0.1] },
      epochs: { value: 2 },
    },
  },
  'model not swept': {
    metric: { name: 'val_acc', goal: 'maximize' },
    parameters: { lr: { values: [0.05, 0.1] }, epochs: { value: 2 } },
  },
  'W&B names': {
    program: 'sweeplab:builtin', // W&B's key; a name other than the built-in program runs that program (#21)
    metric: { name: 'validation_loss' },
    parameters: { learning_rate: { values: [0.05, 0.1] }, epochs: { value: 2 } },
  },
} as const;

for (const [methodName, method] of Object.entries(METHODS)) {
  for (const [variantName, variant] of Object.entries(MODEL_VARIANTS)) {
    test(`${methodName}, ${variantName}: runs are created and train`, async () => {
      const created = await clusterOf().fetchJson<{ id: string; warnings: string[] }>('/v1/sweeps', {
        method: 'POST',
        body: JSON.stringify({ name: `${methodName} / ${variantName}`, ...method, ...variant }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id;
      const sweep = await waitFor(
        'a run with its first epoch',
        async () => {
          const s = await sweepOf(id);
          return s.runs.some((r) => r.status !== 'queued') ? s : undefined;
        },
        20_000,
        100,
      );
      const swept = 'model' in variant.parameters;
      for (const run of sweep.runs) {
        assert.ok(swept ? ['cnn', 'plain'].includes(run.model) : run.model === 'resnet', run.model);
        assert.ok([0.05, 0.1].includes(run.lr), `lr ${run.lr} from the file (learning_rate read as lr)`);
        assert.equal(run.batch_size, 64, 'the reference batch size');
      }
      if (!swept) {
        assert.ok(
          created.body.warnings.includes(
            'parameters.model: not swept; every run trains the reference resnet',
          ),
        );
      }
      if (sweep.search) assert.notEqual(sweep.search.status, 'stopped', JSON.stringify(sweep.search));
      assert.equal((await clusterOf().fetchJson(`/v1/sweeps/${id}`, { method: 'DELETE' })).status, 200);
      const deleted = await sweepOf(id);
      if (deleted.search?.status === 'stopped') {
        assert.equal(deleted.search.reason, 'cancelled (DELETE /v1/sweeps/:id)');
      }
    });
  }
}

test('a proposal that fails later stops the search and says why: GET /v1/sweeps/:id, sweeplab sweeps, sweeplab watch, the report', async () => {
  // Accepted under the default MAX_EPOCHS; the API restarted with MAX_EPOCHS=3 can no longer propose it.
  const created = await clusterOf().fetchJson<{ id: string }>('/v1/sweeps', {
    method: 'POST',
    body: JSON.stringify({
      name: 'outlives its limits',
      method: 'random',
      max_concurrent: 1,
      parameters: { lr: { values: [0.05, 0.1] }, epochs: { value: 5 } },
    }),
  });
  assert.equal(created.status, 201);
  const id = created.body.id;
  await waitFor(
    'the first proposal',
    async () => ((await sweepOf(id)).total_runs >= 1 ? true : undefined),
    20_000,
  );
  await clusterOf().stopService(clusterOf().api);
  await clusterOf().startApi({ MAX_EPOCHS: '3' });

  const reason = 'proposal 2 is not a valid run: body.parameters.epochs: must be at most 3 (MAX_EPOCHS)';
  const sweep = await waitFor(
    'the search to stop',
    async () => {
      const s = await sweepOf(id);
      return s.search?.status === 'stopped' ? s : undefined;
    },
    30_000,
    100,
  );
  assert.equal(sweep.search?.reason, reason);
  assert.equal(sweep.search?.runs_proposed, 1);

  const env = { API_URL: clusterOf().url };
  const listed = await runSweeplab(['sweeps'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(listed.stdout.includes(`${id}: search stopped: ${reason}`), listed.stdout);

  // The first run finishes; watch then prints why no more come, and the report says it too.
  const watched = await runSweeplab(['watch', id, '--interval', '100'], env);
  assert.equal(watched.code, 0, watched.stderr);
  assert.ok(watched.stdout.includes(`${id} search stopped: ${reason}`), watched.stdout);
  // Markdown escapes the underscores of MAX_EPOCHS; the JSON report carries the reason as it is.
  assert.ok(watched.stdout.includes('> The search stopped: proposal 2 is not a valid run: '), watched.stdout);
  const report = await clusterOf().fetchJson<{ sweep: { searchEnded: string | null } }>(
    `/v1/sweeps/${id}/report?format=json`,
  );
  assert.equal(report.body.sweep.searchEnded, `stopped: ${reason}`);
});
