import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunHistory } from '@sweeplab/db';
import { EarlyTerminateConfig } from '@sweeplab/shared';
import { decideEarlyStops, rungTable } from './early-stop-rules.ts';

let arrival = 0;
const run = (id: string, status: RunHistory['status'], history: number[], epochs = 9): RunHistory => ({
  id,
  status,
  epochs,
  params: {},
  history,
  arrivals: history.map(() => ++arrival),
});
const rule = (raw: Record<string, unknown>) => EarlyTerminateConfig.parse(raw);

test('every rule: a run at its last epoch is finishing and is never stopped; the decision names what it was compared with', () => {
  const asha = rule({ type: 'asha', grace_period: 1, reduction_factor: 3, max_t: 27 });
  const good = run('good', 'running', [0.9]);
  assert.deepEqual(decideEarlyStops(asha, [good, run('bad', 'running', [0.1], 1)], 'maximize', 0), []);
  assert.deepEqual(decideEarlyStops(asha, [good, run('bad', 'running', [0.1])], 'maximize', 0), [
    {
      id: 'bad',
      rule: 'asha',
      band: 1,
      bracket: 0,
      epoch: 1,
      value: 0.1,
      threshold: 0.9,
      compared: ['good'],
    },
  ]);
  const hb = rule({ type: 'hyperband', min_iter: 1, eta: 3 });
  assert.deepEqual(
    decideEarlyStops(hb, [run('a', 'completed', [0.9, 0.9]), run('b', 'running', [0.1])], 'maximize', 0),
    [{ id: 'b', rule: 'hyperband', band: 1, epoch: 1, value: 0.1, threshold: 0.9, compared: ['a'] }],
  );
  const med = rule({ type: 'median', min_runs: 1 });
  assert.deepEqual(
    decideEarlyStops(med, [run('a', 'completed', [0.9, 0.9]), run('b', 'running', [0.1])], 'maximize', 0),
    [{ id: 'b', rule: 'median', band: 1, epoch: 1, value: 0.1, threshold: 0.9, compared: ['a'] }],
  );
});

test('rung tables: reached, stopped (from the recorded stops), kept, and the threshold a new arrival faces', () => {
  const runs = [
    run('a', 'completed', [0.5, 0.6, 0.7], 3),
    run('b', 'stopped', [0.4], 3),
    run('c', 'completed', [0.6, 0.65, 0.8], 3),
  ];
  const stops = [{ band: 1, bracket: 0 }];
  const asha = rule({ type: 'asha', grace_period: 1, reduction_factor: 2, max_t: 4 });
  assert.deepEqual(rungTable(asha, runs, stops, 'maximize', 0), [
    // Rung 1: [0.5, 0.4, 0.6] → percentile 50 = 0.5; rung 2: a 0.6, c 0.65 → 0.625.
    { bracket: 0, rung: 1, reached: 3, stopped: 1, kept: 2, threshold: 0.5 },
    { bracket: 0, rung: 2, reached: 2, stopped: 0, kept: 2, threshold: 0.625 },
  ]);
  const hb = rule({ type: 'hyperband', min_iter: 1, eta: 3 });
  // Band 1: sorted (negated) [−0.6, −0.5, −0.4], index floor(3/3) = 1 → 0.5; band 3: [−0.8, −0.7] → index 0 → 0.8.
  assert.deepEqual(rungTable(hb, runs, [{ band: 1, bracket: null }], 'maximize', 0), [
    { bracket: null, rung: 1, reached: 3, stopped: 1, kept: 2, threshold: 0.5 },
    { bracket: null, rung: 3, reached: 2, stopped: 0, kept: 2, threshold: 0.8 },
  ]);
  const med = rule({ type: 'median', min_runs: 2 });
  // Epochs 1 and 2 (at 3, the last, nobody is judged): medians of a and c.
  assert.deepEqual(rungTable(med, runs, [{ band: 1, bracket: null }], 'maximize', 0), [
    { bracket: null, rung: 1, reached: 3, stopped: 1, kept: 2, threshold: 0.55 },
    { bracket: null, rung: 2, reached: 2, stopped: 0, kept: 2, threshold: 0.625 },
  ]);
  assert.equal(rungTable(med, runs, [], 'maximize', 0)[0]?.threshold, 0.55);
  assert.equal(
    rungTable(rule({ type: 'median' }), runs, [], 'maximize', 0)[0]?.threshold,
    null,
    'before min_runs',
  );
});

test('an unknown early_terminate type is refused naming the type and the choices', () => {
  const r = EarlyTerminateConfig.safeParse({ type: 'pbt' });
  assert.equal(r.success, false);
  assert.deepEqual(
    r.error?.issues.map((i) => [i.path.join('.'), i.message]),
    [['type', 'must be one of hyperband, asha, median']],
  );
});
