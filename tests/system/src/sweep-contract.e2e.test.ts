import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DISTRIBUTION_NAMES } from '@sweeplab/shared';
import { waitFor } from '@sweeplab/testing';
import fc from 'fast-check';
import { useSyntheticCluster } from './synthetic-cluster.ts';

/*
 * The contract of POST /v1/sweeps (issues #29, #31): every file the API accepts runs and can be read,
 * and every file it refuses is told which field (one it wrote, or one it must add). Generated over
 * every method × every W&B distribution × with/without metric, early_terminate and W&B names, through
 * one real API and two real workers on the synthetic trainer; the issues' own files are fixed examples.
 */

type Spec = Record<string, unknown>;
type SweepFile = Record<string, unknown> & { parameters: Record<string, Spec> };

/** An lr spec per distribution, with W&B's keys written out (so an error path can be found in the file). */
const LR_SPECS: Record<(typeof DISTRIBUTION_NAMES)[number], Spec> = {
  constant: { distribution: 'constant', value: 0.1 },
  categorical: { distribution: 'categorical', values: [0.05, 0.1] },
  categorical_w_probabilities: {
    distribution: 'categorical_w_probabilities',
    values: [0.05, 0.1],
    probabilities: [0.3, 0.7],
  },
  int_uniform: { distribution: 'int_uniform', min: 1, max: 2 },
  uniform: { distribution: 'uniform', min: 0.01, max: 0.5 },
  q_uniform: { distribution: 'q_uniform', min: 0.05, max: 0.3, q: 0.1 },
  log_uniform: { distribution: 'log_uniform', min: -7, max: -1 },
  q_log_uniform: { distribution: 'q_log_uniform', min: -3, max: -1, q: 0.01 },
  log_uniform_values: { distribution: 'log_uniform_values', min: 0.001, max: 0.5 },
  q_log_uniform_values: { distribution: 'q_log_uniform_values', min: 0.01, max: 0.5, q: 0.01 },
  inv_log_uniform: { distribution: 'inv_log_uniform', min: 1, max: 5 },
  inv_log_uniform_values: { distribution: 'inv_log_uniform_values', min: 0.001, max: 0.5 },
  // sigma 0.5 around 0.1 samples negative learning rates: a 400 naming the parameter.
  normal: { distribution: 'normal', mu: 0.1, sigma: 0.5 },
  q_normal: { distribution: 'q_normal', mu: 0.1, sigma: 0.02, q: 0.01 },
  log_normal: { distribution: 'log_normal', mu: -2, sigma: 0.5 },
  q_log_normal: { distribution: 'q_log_normal', mu: -2, sigma: 0.5, q: 0.01 },
  beta: { distribution: 'beta', a: 2, b: 5 },
  q_beta: { distribution: 'q_beta', a: 2, b: 5, q: 0.01 },
};

const sweepFile = fc
  .record({
    method: fc.constantFrom('grid', 'random', 'random-open', 'bayes'),
    lr: fc.constantFrom(...DISTRIBUTION_NAMES),
    lrName: fc.constantFrom('lr', 'learning_rate'),
    model: fc.constantFrom('swept', 'constant', 'absent'),
    batch: fc.boolean(),
    epochs: fc.constantFrom(true, true, true, false),
    metric: fc.constantFrom('none', 'val_acc', 'validation_loss'),
    earlyTerminate: fc.boolean(),
    program: fc.boolean(),
  })
  .map((c): SweepFile => {
    const parameters: Record<string, Spec> = { [c.lrName]: LR_SPECS[c.lr] };
    if (c.model === 'swept') parameters.model = { values: ['cnn', 'resnet'] };
    if (c.model === 'constant') parameters.model = { value: 'plain' };
    if (c.batch) parameters.batch_size = { values: [32, 64] };
    if (c.epochs) parameters.epochs = { value: 2 };
    return {
      method: c.method === 'random-open' ? 'random' : c.method,
      ...(c.method === 'random' || c.method === 'bayes' || c.method === 'grid' ? { run_cap: 3 } : {}),
      ...(c.metric === 'none' ? {} : { metric: { name: c.metric } }),
      ...(c.earlyTerminate ? { early_terminate: { type: 'hyperband', min_iter: 1, eta: 3 } } : {}),
      // The built-in program by name (issue #21: any other program name runs that program).
      ...(c.program ? { program: 'sweeplab:builtin' } : {}),
      parameters,
    };
  });

/** The issues' own files. */
const ISSUE_FILES: SweepFile[] = [
  {
    method: 'bayes',
    run_cap: 40,
    metric: { name: 'val_acc', goal: 'maximize' },
    parameters: {
      lr: { distribution: 'log_uniform_values', min: 0.001, max: 0.5 },
      epochs: { value: 6 },
    },
  },
  {
    method: 'random',
    parameters: { lr: { distribution: 'log_uniform_values', min: 0.001, max: 0.5 }, epochs: { value: 6 } },
  },
  ...[
    'beta',
    'normal',
    'log_normal',
    'inv_log_uniform_values',
    'q_uniform',
    'q_log_uniform_values',
    'categorical_w_probabilities',
  ].map(
    (d): SweepFile => ({
      method: 'random',
      run_cap: 2,
      metric: { name: 'val_acc' },
      parameters: { lr: LR_SPECS[d as keyof typeof LR_SPECS], epochs: { value: 2 } },
    }),
  ),
  { method: 'random', run_cap: 2, parameters: { learning_rate: { values: [0.1] } } },
  { method: 'grid', parameters: { seed: { values: [0, 1] }, epochs: { value: 2 } } },
];

const clusterOf = useSyntheticCluster('sweep-contract', {
  workers: 2,
  epochMs: 30,
  workerEnv: { WORKER_CONCURRENCY: '2' },
});

/** Whether `field` (body.parameters.learning_rate.max) names something the file contains. */
function namesWhatTheFileHas(file: SweepFile, field: string): boolean {
  const path = field.split('.').slice(1);
  let node: unknown = file;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return path.length > 0;
}

interface SweepBody {
  id: string;
  runs: { id: string; status: string }[];
  search: { status: string | null; reason: string | null } | null;
}

/** Submits one file and checks the contract; returns what happened, for the summary. */
async function checkContract(file: SweepFile): Promise<'refused' | 'ran'> {
  const created = await clusterOf().fetchJson<{
    id: string;
    warnings: string[];
    issues?: { field: string; message: string }[];
  }>('/v1/sweeps', { method: 'POST', body: JSON.stringify(file) });
  const what = JSON.stringify(file);
  if (created.status === 400) {
    const issues = created.body.issues ?? [];
    assert.ok(issues.length > 0, `400 names a field: ${what}`);
    for (const issue of issues) {
      // A field the file lacks is named only to say it must be added (metric for bayes, epochs).
      const mustAdd = !namesWhatTheFileHas(file, issue.field);
      if (mustAdd)
        assert.match(
          issue.message,
          /is required|^not swept and has no default; add /,
          `${issue.field} (${issue.message}) for ${what}`,
        );
      if (issue.field === 'body.parameters.epochs' && mustAdd)
        assert.match(issue.message, /add epochs: \{value: N\} to parameters/);
      assert.doesNotMatch(issue.message, /expected \w+, received undefined/, `not a type error: ${what}`);
    }
    return 'refused';
  }
  assert.equal(created.status, 201, `${created.status} ${JSON.stringify(created.body)} for ${what}`);
  const id = created.body.id;
  if (!file.parameters.model) assert.ok(created.body.warnings.some((w) => w.startsWith('parameters.model:')));
  if (!('lr' in file.parameters || 'learning_rate' in file.parameters))
    assert.ok(created.body.warnings.includes('parameters.lr: not swept; every run uses the reference 0.1'));

  // Runs appear and train: the first epoch row lands within seconds.
  await waitFor(
    `a run of ${what} with an epoch`,
    async () => {
      const live = await clusterOf().fetchJson<{ runs: { final_epoch: number | null }[] }>(
        `/v1/sweeps/${id}/live`,
      );
      assert.equal(live.status, 200);
      return live.body.runs.some((r) => (r.final_epoch ?? 0) >= 1) ? true : undefined;
    },
    20_000,
    100,
  );
  const sweep = await clusterOf().fetchJson<SweepBody>(`/v1/sweeps/${id}`);
  assert.equal(sweep.status, 200, what);
  assert.ok(sweep.body.runs.length > 0, what);
  assert.equal(sweep.body.search?.reason ?? null, null, `the search did not stop: ${what}`);
  for (const format of ['json', 'md', 'csv', 'html']) {
    const report = await fetch(`${clusterOf().url}/v1/sweeps/${id}/report?format=${format}`);
    assert.equal(report.status, 200, `report ${format} of ${what}`);
    await report.arrayBuffer();
  }
  // The synthetic trainer keeps no weights (only real training does): /best names the best run by the
  // metric table, with no weights to link.
  const best = await clusterOf().fetchJson<{ run: { id: string } | null; weights_url: string | null }>(
    `/v1/sweeps/${id}/best`,
  );
  assert.equal(best.status, 200, `/best of ${what}: ${JSON.stringify(best.body)}`);
  assert.ok(best.body.run?.id.startsWith('run_'), `/best of ${what} names a run`);
  assert.equal(best.body.weights_url, null, `/best of ${what}: the synthetic trainer keeps no weights`);
  // Stops open-ended searches and frees the workers for the next case.
  assert.equal((await clusterOf().fetchJson(`/v1/sweeps/${id}`, { method: 'DELETE' })).status, 200);
  return 'ran';
}

/** pino error (50) or fatal (60) lines in a process log. */
function errorLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return false;
      }
    });
}

test('every sweep the API accepts runs and reads back; every one it refuses names a field of the file (or one to add)', async () => {
  const outcomes = { refused: 0, ran: 0 };
  for (const file of ISSUE_FILES) outcomes[await checkContract(file)]++;
  await fc.assert(
    fc.asyncProperty(sweepFile, async (file) => {
      outcomes[await checkContract(file)]++;
    }),
    { numRuns: 48, seed: 31 },
  );
  assert.ok(
    outcomes.ran > 10 && outcomes.refused > 3,
    `both outcomes exercised: ${JSON.stringify(outcomes)}`,
  );
  for (const service of [clusterOf().api, ...clusterOf().workers]) {
    assert.deepEqual(errorLines(clusterOf().logPath(service)), [], `no error logged by ${service.name}`);
  }
});
