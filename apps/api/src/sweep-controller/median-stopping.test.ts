import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MedianStopConfig } from '@sweeplab/shared';
import { type MedianRun, medianStopRuns } from './median-stopping.ts';

const median = (raw: Record<string, unknown>) => MedianStopConfig.parse({ type: 'median', ...raw });
const done = (id: string, history: number[]): MedianRun => ({
  id,
  completed: true,
  judgeable: false,
  history,
});
const running = (id: string, history: number[]): MedianRun => ({
  id,
  completed: false,
  judgeable: true,
  history,
});

// Five completed runs; their val_acc at epoch 2 is 0.5 … 0.9, median 0.7.
const completed = [0.5, 0.6, 0.7, 0.8, 0.9].map((v, i) => done(`c${i}`, [v - 0.1, v, v]));

test("Optuna's MedianPruner: best value so far below the completed runs' median at the same epoch stops the run", () => {
  assert.equal(median({}).min_runs, 5, 'n_startup_trials defaults to 5');
  assert.equal(median({}).grace_period, 1, 'n_warmup_steps 0 = judged from epoch 1');
  const stops = medianStopRuns(
    [...completed, running('low', [0.65, 0.68]), running('dipped', [0.71, 0.6])],
    median({}),
    'maximize',
  );
  // 'dipped' is at 0.6 now, but its best so far (0.71) is above the median: kept, as in Optuna.
  assert.deepEqual(stops, [
    { id: 'low', epoch: 2, value: 0.68, threshold: 0.7, compared: ['c0', 'c1', 'c2', 'c3', 'c4'] },
  ]);
});

test('min_runs: no run is stopped before that many have completed; stopped runs are not completed', () => {
  const four = completed.slice(0, 4);
  const stoppedRun: MedianRun = { id: 's', completed: false, judgeable: false, history: [0.1, 0.1] };
  assert.deepEqual(
    medianStopRuns([...four, stoppedRun, running('low', [0.1, 0.1])], median({}), 'maximize'),
    [],
  );
  // Two completed runs at epoch 1: 0.5 and 0.7 → median 0.6 (numpy's linear percentile).
  const two = [done('a', [0.5, 0.6]), done('b', [0.7, 0.8])];
  assert.deepEqual(
    medianStopRuns([...two, running('x', [0.55])], median({ min_runs: 2 }), 'maximize').map((s) => [
      s.id,
      s.threshold,
    ]),
    [['x', 0.6]],
  );
});

test('grace_period: a run is judged from that epoch on, never before', () => {
  const runs = [...completed, running('low', [0.1, 0.1])];
  assert.deepEqual(medianStopRuns(runs, median({ grace_period: 3 }), 'maximize'), []);
  assert.deepEqual(
    medianStopRuns(runs, median({ grace_period: 2 }), 'maximize').map((s) => s.epoch),
    [2],
  );
});

test('minimize: a best val_loss above the median stops the run; no completed value at that epoch, no decision', () => {
  const losses = [done('a', [0.3, 0.2]), done('b', [0.5, 0.4]), done('c', [0.4, 0.3])];
  const cfg = median({ min_runs: 3 });
  assert.deepEqual(
    medianStopRuns([...losses, running('x', [0.45]), running('y', [0.38])], cfg, 'minimize').map((s) => [
      s.id,
      s.value,
      s.threshold,
    ]),
    [['x', 0.45, 0.4]],
  );
  // Completed runs had 2 epochs: a run at epoch 3 has nothing to be compared with (Optuna: NaN → keep).
  assert.deepEqual(medianStopRuns([...losses, running('z', [9, 9, 9])], cfg, 'minimize'), []);
});

test('bad median configs are refused, naming the key', () => {
  const issues = (raw: Record<string, unknown>) => {
    const r = MedianStopConfig.safeParse({ type: 'median', ...raw });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.match(issues({ grace_period: 0 })[0] as string, /^grace_period: must be at least 1/);
  assert.match(issues({ min_runs: 0 })[0] as string, /^min_runs: must be at least 1/);
  assert.match(issues({ min_runs: 1.5 })[0] as string, /^min_runs: must be an integer/);
  assert.match(issues({ reduction_factor: 3 })[0] as string, /reduction_factor/);
});
