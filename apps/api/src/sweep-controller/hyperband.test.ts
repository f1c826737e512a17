import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HyperbandConfig, hyperbandBands } from '@sweeplab/shared';
import { hyperbandStopRuns, hyperbandThresholds } from './hyperband.ts';

const hb = (raw: Record<string, unknown>) => HyperbandConfig.parse({ type: 'hyperband', ...raw });

test('bands from max_iter and s: divide by eta s times, stop below 1, truncate, ascending', () => {
  assert.deepEqual(hyperbandBands(hb({ max_iter: 27, s: 2 })), [3, 9]);
  assert.deepEqual(hyperbandBands(hb({ max_iter: 81, s: 3 })), [3, 9, 27]);
  // 10/3 = 3.33 → 3, 1.11 → 1, 0.37 < 1 stops before the third division is used.
  assert.deepEqual(hyperbandBands(hb({ max_iter: 10, s: 3 })), [1, 3]);
  assert.deepEqual(hyperbandBands(hb({ max_iter: 5, s: 2, eta: 2 })), [1, 2]);
});

test('bands from min_iter: min_iter · eta^k, truncated', () => {
  assert.deepEqual(hyperbandBands(hb({ min_iter: 3 })).slice(0, 4), [3, 9, 27, 81]);
  assert.deepEqual(hyperbandBands(hb({ min_iter: 2, eta: 1.5 })).slice(0, 5), [2, 3, 4, 6, 10]);
  assert.equal(hb({ min_iter: 1 }).eta, 3, 'eta defaults to 3');
  assert.equal(hb({ min_iter: 1 }).strict, true, 'strict defaults to true');
});

test('threshold(b) = sorted values at epoch b of the runs that reached b, index floor(n/eta)', () => {
  // Band 2: [9, 10, 8, 7, 6] → sorted [6, 7, 8, 9, 10], n = 5, eta 2 → index 2 → 8.
  const t = hyperbandThresholds(
    [
      [10, 9],
      [10, 10],
      [10, 8, 8],
      [10, 7, 7],
      [10, 6, 6],
    ],
    [1, 2, 3],
    2,
  );
  assert.deepEqual(t, [10, 8, 7]);
  assert.deepEqual(hyperbandThresholds([[1]], [2], 3), [Number.POSITIVE_INFINITY]);
});

test("W&B's docstring example (minimize, max_iter 5, s 2, eta 2): only b is stopped, at band 2 against 8", () => {
  const runs = [
    { id: 'a', running: false, history: [10, 9] },
    { id: 'b', running: true, history: [10, 10] },
    { id: 'c', running: true, history: [10, 8, 8] },
    { id: 'd', running: true, history: [10, 7, 7] },
    { id: 'e', running: false, history: [10, 6, 6] },
  ];
  const cfg = hb({ max_iter: 5, s: 2, eta: 2 });
  assert.deepEqual(hyperbandStopRuns(runs, cfg, 'minimize'), [
    { id: 'b', band: 2, value: 10, threshold: 8, epoch: 2 },
  ]);
  assert.deepEqual(
    hyperbandStopRuns(runs, { ...cfg, strict: false }, 'minimize').map((s) => s.id),
    ['b'],
  );
});

test('strict judges the value at the band; non-strict the best value so far (minimize, min_iter 2, eta 2)', () => {
  // Band 2 values: x 4, y 3, z 5, w 9 → sorted [3, 4, 5, 9], n = 4 → index 2 → threshold 5.
  const runs = [
    { id: 'x', running: false, history: [5, 4, 3, 2] },
    { id: 'y', running: true, history: [5, 3, 6] },
    { id: 'z', running: true, history: [5, 5] }, // equal to the threshold: not worse, kept
    { id: 'w', running: true, history: [6, 9, 2] }, // 9 at band 2, but 2 is its best so far
  ];
  const strict = hyperbandStopRuns(runs, hb({ min_iter: 2, eta: 2 }), 'minimize');
  assert.deepEqual(strict, [{ id: 'w', band: 2, value: 9, threshold: 5, epoch: 3 }]);
  assert.deepEqual(hyperbandStopRuns(runs, hb({ min_iter: 2, eta: 2, strict: false }), 'minimize'), []);
});

test('maximize flips the sign: val_acc below the band threshold stops the run (min_iter 1, eta 3)', () => {
  // Band 1 (negated): [-.5, -.3, -.6, -.55] → sorted [-.6, -.55, -.5, -.3], n 4 → index 1 → 0.55.
  // Band 3: A .7, B .4, D .5 → negated sorted [-.7, -.5, -.4], n 3 → index 1 → 0.5.
  const runs = [
    { id: 'A', running: false, history: [0.5, 0.6, 0.7] },
    { id: 'B', running: true, history: [0.3, 0.35, 0.4] },
    { id: 'C', running: true, history: [0.6] },
    { id: 'D', running: true, history: [0.55, 0.8, 0.5] },
  ];
  assert.deepEqual(hyperbandStopRuns(runs, hb({ min_iter: 1 }), 'maximize'), [
    { id: 'B', band: 3, value: 0.4, threshold: 0.5, epoch: 3 },
  ]);
  // Non-strict: D's best (0.8) is fine, B's best (0.4) is not.
  assert.deepEqual(
    hyperbandStopRuns(runs, hb({ min_iter: 1, strict: false }), 'maximize').map((s) => s.id),
    ['B'],
  );
});

test('the first run to reach a band is never stopped there, however bad it is', () => {
  const cfg = hb({ min_iter: 1 });
  assert.deepEqual(hyperbandStopRuns([{ id: 'only', running: true, history: [0.01] }], cfg, 'maximize'), []);
  // 'slow' is far better at band 1 than 'first' was; 'first' alone reached band 3 and is judged there.
  const runs = [
    { id: 'first', running: true, history: [0.1, 0.1, 0.1] },
    { id: 'slow', running: true, history: [0.9] },
  ];
  assert.deepEqual(hyperbandStopRuns(runs, cfg, 'maximize'), []);
  // Finished runs set thresholds but are never themselves stopped.
  assert.deepEqual(
    hyperbandStopRuns([{ id: 'done', running: false, history: [0] }, ...runs], cfg, 'maximize'),
    [],
  );
});

test('bad early_terminate configs are refused, naming the key', () => {
  const issues = (raw: Record<string, unknown>) => {
    const r = HyperbandConfig.safeParse(raw);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.match(issues({ type: 'median', min_iter: 1 })[0]!, /^type: must be hyperband/);
  assert.match(issues({ type: 'hyperband', min_iter: 1, eta: 1 })[0]!, /^eta: must be greater than 1/);
  assert.match(issues({ type: 'hyperband', min_iter: 0 })[0]!, /^min_iter: must be at least 1/);
  assert.match(
    issues({ type: 'hyperband', min_iter: 1, max_iter: 9, s: 1 })[0]!,
    /^max_iter: cannot be combined/,
  );
  assert.match(issues({ type: 'hyperband', max_iter: 9 })[0]!, /^s: is required with max_iter/);
  assert.match(issues({ type: 'hyperband' })[0]!, /^min_iter: is required/);
  assert.match(issues({ type: 'hyperband', max_iter: 2, s: 1 })[0]!, /^max_iter: gives no band/);
});
