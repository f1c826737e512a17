import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SweepConfig } from '@sweeplab/shared';
import { ApiError } from './errors.ts';
import { expandSweep } from './sweep-expansion.ts';

const limits = { maxEpochs: 100, maxRunsPerSweep: 50 };

test('grid is the cartesian product, with run defaults filled in', () => {
  const cfg = SweepConfig.parse({
    name: 'cnn-vs-resnet',
    method: 'grid',
    parameters: {
      model: { values: ['cnn', 'resnet'] },
      lr: { value: 0.1 },
      seed: { values: [0, 1, 2] },
      epochs: { value: 2 },
    },
  });
  const runs = expandSweep(cfg, limits);
  assert.equal(runs.length, 6);
  assert.deepEqual(
    runs.map((r) => `${r.model}:${r.seed}`),
    ['cnn:0', 'cnn:1', 'cnn:2', 'resnet:0', 'resnet:1', 'resnet:2'],
  );
  assert.equal(runs[0]?.batch_size, 64);
  assert.equal(runs[0]?.dataset, 'mnist');
});

test('a grid past MAX_RUNS_PER_SWEEP is refused before expansion', () => {
  const cfg = SweepConfig.parse({
    name: 'huge',
    method: 'grid',
    parameters: {
      model: { value: 'cnn' },
      epochs: { value: 1 },
      lr: { values: Array.from({ length: 1000 }, (_, i) => (i + 1) / 1000) },
      seed: { values: Array.from({ length: 1000 }, (_, i) => i) },
    },
  });
  assert.throws(
    () => expandSweep(cfg, limits),
    /expands to 1000000 runs, more than MAX_RUNS_PER_SWEEP \(50\)/,
  );
});

/** A random search over four parameters, seeded. */
function lrSearch(runCap: number) {
  return SweepConfig.parse({
    name: 'lr search',
    method: 'random',
    run_cap: runCap,
    sampler_seed: 7,
    parameters: {
      model: { values: ['cnn', 'resnet', 'plain'] },
      lr: { distribution: 'log_uniform_values', min: 0.001, max: 0.5 },
      momentum: { distribution: 'uniform', min: 0, max: 0.9 },
      seed: { distribution: 'int_uniform', min: 0, max: 4 },
      epochs: { value: 3 },
    },
  });
}

test('random samples run_cap runs inside the distributions, reproducibly', () => {
  const cfg = lrSearch(20);
  const a = expandSweep(cfg, limits);
  assert.equal(a.length, 20);
  for (const r of a) {
    assert.ok(r.lr >= 0.001 && r.lr <= 0.5, `lr ${r.lr}`);
    assert.ok(r.momentum >= 0 && r.momentum < 0.9);
    assert.ok(Number.isInteger(r.seed) && r.seed >= 0 && r.seed <= 4, `seed ${r.seed}`);
  }
  assert.deepEqual(expandSweep(cfg, limits), a);
  assert.ok(new Set(a.map((r) => r.seed)).size > 1);
});

test('random samples are pinned to the shared seeded generator: a sampler_seed always gives these runs', () => {
  assert.deepEqual(
    expandSweep(lrSearch(3), limits).map((r) => [r.model, r.lr, r.momentum, r.seed]),
    [
      ['plain', 0.04675876037480389, 0.886869460134767, 1],
      ['plain', 0.0019437356381516785, 0.8570717203896493, 4],
      ['resnet', 0.016615204627623892, 0.2224424242274836, 0],
    ],
  );
});

test('a bad value inside the grid names the parameter', () => {
  const cfg = SweepConfig.parse({
    name: 'bad',
    method: 'grid',
    parameters: { model: { values: ['cnn', 'vgg'] }, lr: { value: 0.1 }, epochs: { value: 1000 } },
  });
  assert.throws(
    () => expandSweep(cfg, limits),
    (err: unknown) => {
      assert.ok(err instanceof ApiError);
      const fields = err.issues.map((i) => i.field);
      assert.ok(fields.includes('body.parameters.model'));
      assert.ok(fields.includes('body.parameters.epochs'));
      return true;
    },
  );
});

test('the sweep schema refuses what it cannot honour', () => {
  const r = SweepConfig.safeParse({
    name: 'x',
    method: 'random',
    parameters: { dropout: { value: 0.5 } },
  });
  assert.equal(r.success, false);
  const paths = r.error?.issues.map((i) => i.path.join('.')) ?? [];
  assert.ok(paths.includes('parameters.dropout'));
  // A random sweep without run_cap is open-ended (proposed until DELETE), as in W&B.
  assert.equal(
    SweepConfig.safeParse({ name: 'x', method: 'random', parameters: { lr: { value: 1 } } }).success,
    true,
  );
  // bayes needs a metric and something to search over.
  const bayes = SweepConfig.safeParse({ name: 'x', method: 'bayes', parameters: { lr: { value: 1 } } });
  assert.deepEqual(bayes.error?.issues.map((i) => i.path.join('.')).sort(), ['metric', 'parameters']);
});
