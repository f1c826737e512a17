import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AshaConfig, ashaBracketRungs } from '@sweeplab/shared';
import { type AshaRun, ashaBracketOf, ashaDecisions, ashaStopRuns } from './asha.ts';

const asha = (raw: Record<string, unknown>) => AshaConfig.parse({ type: 'asha', ...raw });

let arrival = 0;
/** A run whose epochs landed in the order given by `at` (or one after another). */
const run = (
  id: string,
  history: number[],
  opts: { at?: number[]; judgeable?: boolean; bracket?: number } = {},
) => ({
  id,
  history,
  arrivals: opts.at ?? history.map(() => ++arrival),
  judgeable: opts.judgeable ?? true,
  bracket: opts.bracket ?? 0,
});
type Run = AshaRun & { bracket: number };

test("rungs per bracket as Ray's _Bracket builds them", () => {
  assert.deepEqual(ashaBracketRungs(asha({ grace_period: 1, reduction_factor: 3, max_t: 27 })), [
    [1, 3, 9, 27],
  ]);
  assert.deepEqual(ashaBracketRungs(asha({ grace_period: 1, reduction_factor: 3, max_t: 27, brackets: 2 })), [
    [1, 3, 9, 27],
    [3, 9, 27],
  ]);
  // Ray's defaults: max_t 100, grace_period 1, reduction_factor 4.
  assert.deepEqual(ashaBracketRungs(asha({})), [[1, 4, 16, 64]]);
  // log(1000)/log(10) is 2.9999999999999996 in floating point: Ray (int()) gets 3 rungs, so do we.
  assert.deepEqual(ashaBracketRungs(asha({ reduction_factor: 10, max_t: 1000 })), [[1, 10, 100]]);
  assert.deepEqual(ashaBracketRungs(asha({ grace_period: 2, reduction_factor: 2, max_t: 9 })), [[2, 4, 8]]);
  // Judged at 1, 3 and 9 only: at max_t Ray ends the trial instead.
  const { rungs } = ashaDecisions([], asha({ grace_period: 1, reduction_factor: 3, max_t: 27 }), 'maximize');
  assert.deepEqual(
    rungs.map((r) => r.rung),
    [1, 3, 9],
  );
});

test("Ray's _Bracket docstring: rewards 2 and 4 go on; 1 is below the cutoff 3 and is stopped", () => {
  // _Bracket(1, 10, 2, 0): on_result(t1, 1, 2) CONTINUE; (t2, 1, 4) CONTINUE; cutoff = 3.0; (t3, 1, 1) STOP.
  const cfg = asha({ grace_period: 1, reduction_factor: 2, max_t: 10 });
  const runs: Run[] = [run('t1', [2]), run('t2', [4]), run('t3', [1])];
  const { decisions, rungs } = ashaDecisions(runs, cfg, 'maximize');
  assert.deepEqual(
    decisions.map((d) => [d.id, d.rung, d.cutoff, d.stop, d.compared]),
    [
      ['t1', 1, null, false, []],
      ['t2', 1, 2, false, ['t1']],
      ['t3', 1, 3, true, ['t1', 't2']],
    ],
  );
  // Ray's cutoff(rung 1) after all three: nanpercentile([2, 4, 1], 50) = 2.
  assert.deepEqual(rungs[0], { bracket: 0, rung: 1, recorded: 3, stopped: 1, cutoff: 2 });
});

test('reduction_factor 3: only the top third of the runs recorded before goes on (cutoff = 66.67th percentile)', () => {
  const cfg = asha({ grace_period: 1, reduction_factor: 3, max_t: 27 });
  const before = [run('a', [0.91]), run('b', [0.87]), run('c', [0.95])];
  // np.nanpercentile([0.91, 0.87, 0.95], 66.666…) = 0.9233333333333333.
  const low = ashaStopRuns([...before, run('low', [0.92])], cfg, 'maximize').find((d) => d.id === 'low');
  assert.deepEqual(low, {
    id: 'low',
    bracket: 0,
    rung: 1,
    epoch: 1,
    value: 0.92,
    cutoff: 0.9233333333333333,
    compared: ['a', 'b', 'c'],
    stop: true,
  });
  assert.deepEqual(
    ashaStopRuns([...before, run('high', [0.93])], cfg, 'maximize').map((d) => d.id),
    ['b'],
  );
  // The early runs themselves: b (0.87) was below a's 0.91 when it arrived, and is stopped.
  assert.deepEqual(
    ashaStopRuns(before, cfg, 'maximize').map((d) => [d.id, d.cutoff]),
    [['b', 0.91]],
  );
});

test('minimize flips the sign (Ray metric_op −1): val_loss above the cutoff stops the run', () => {
  const cfg = asha({ grace_period: 1, reduction_factor: 2, max_t: 8 });
  const before = [run('a', [0.3]), run('b', [0.5])];
  // Rewards −0.3, −0.5 → percentile 50 = −0.4 → threshold 0.4 in loss units. b (0.5 > 0.3) was stopped too.
  const stops = ashaStopRuns([...before, run('x', [0.45]), run('y', [0.35])], cfg, 'minimize');
  assert.deepEqual(
    stops.map((d) => [d.id, d.value, d.cutoff]),
    [
      ['b', 0.5, 0.3],
      ['x', 0.45, 0.4],
    ],
  );
});

test('arrival (commit) order decides who is compared with whom, not the order runs are listed', () => {
  const cfg = asha({ grace_period: 1, reduction_factor: 2, max_t: 8 });
  // 'late' is listed first but its epoch 1 landed after 'early''s: it is the one judged against the other.
  const runs: Run[] = [run('late', [0.2], { at: [20] }), run('early', [0.9], { at: [10] })];
  assert.deepEqual(
    ashaStopRuns(runs, cfg, 'maximize').map((d) => [d.id, d.compared]),
    [['late', ['early']]],
  );
  // The other way round, the bad run came first: it is its own rung's first and is never stopped there.
  const swapped: Run[] = [run('late', [0.2], { at: [10] }), run('early', [0.9], { at: [20] })];
  assert.deepEqual(ashaStopRuns(swapped, cfg, 'maximize'), []);
});

test('each rung is judged once, at the first epoch reaching it; stopped runs are not recorded further', () => {
  const cfg = asha({ grace_period: 1, reduction_factor: 3, max_t: 27 });
  const runs: Run[] = [
    run('a', [0.5, 0.6, 0.7, 0.72], { judgeable: false }),
    run('b', [0.6, 0.65, 0.6, 0.61]),
    run('c', [0.4, 0.9, 0.95, 0.96], { judgeable: false }), // stopped at rung 1; its later epochs do not count
  ];
  const { decisions, rungs } = ashaDecisions(runs, cfg, 'maximize');
  assert.deepEqual(
    decisions.map((d) => [d.id, d.rung, d.epoch, d.value, d.stop]),
    [
      ['a', 1, 1, 0.5, false],
      ['a', 3, 3, 0.7, false],
      ['b', 1, 1, 0.6, false],
      ['b', 3, 3, 0.6, true], // below a's 0.7 at rung 3
      ['c', 1, 1, 0.4, true], // below nanpercentile([0.5, 0.6], 66.67) = 0.5666…
    ],
  );
  assert.deepEqual(
    rungs.map((r) => [r.rung, r.recorded, r.stopped]),
    [
      [1, 3, 1],
      [3, 2, 1],
      [9, 0, 0],
    ],
  );
  // b is judged by its latest recording (rung 3) even at epoch 4: the decision stands until it is told.
  assert.deepEqual(
    ashaStopRuns(runs, cfg, 'maximize').map((d) => [d.id, d.rung, d.epoch]),
    [['b', 3, 3]],
  );
});

test('fractional reduction_factor: a rung is reached at the first epoch at or past it', () => {
  const cfg = asha({ grace_period: 1, reduction_factor: 1.5, max_t: 4 });
  assert.deepEqual(ashaBracketRungs(cfg), [[1, 1.5, 2.25, 3.375]]);
  const { decisions } = ashaDecisions([run('a', [0.1, 0.2, 0.3, 0.4])], cfg, 'maximize');
  assert.deepEqual(
    decisions.map((d) => [d.rung, d.epoch]),
    [
      [1, 1],
      [1.5, 2],
      [2.25, 3],
      [3.375, 4],
    ],
  );
});

test("brackets: each run's bracket is drawn once (seeded by run id) from Ray's softmax over rung counts", () => {
  const cfg = asha({ grace_period: 1, reduction_factor: 3, max_t: 27, brackets: 2 });
  assert.equal(ashaBracketOf('run_x', cfg, 7), ashaBracketOf('run_x', cfg, 7), 'deterministic');
  // Rung counts 4 and 3: P(bracket 0) = 1 / (1 + e^−1) = 0.731.
  const n = 4000;
  let zero = 0;
  for (let i = 0; i < n; i++) if (ashaBracketOf(`run_${i}`, cfg, 7) === 0) zero++;
  assert.ok(Math.abs(zero / n - 1 / (1 + Math.exp(-1))) < 0.03, `${zero / n}`);
  assert.equal(ashaBracketOf('run_x', asha({ brackets: 1 }), 7), 0);
  // Runs of different brackets are never compared: bracket 1 starts at rung 3.
  const runs: Run[] = [run('a', [0.9], { bracket: 0 }), run('b', [0.1], { bracket: 1 })];
  assert.deepEqual(ashaStopRuns(runs, cfg, 'maximize'), []);
});

test('bad asha configs are refused, naming the key', () => {
  const issues = (raw: Record<string, unknown>) => {
    const r = AshaConfig.safeParse({ type: 'asha', ...raw });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.match(issues({ reduction_factor: 1 })[0] as string, /^reduction_factor: must be greater than 1/);
  assert.match(issues({ grace_period: 0 })[0] as string, /^grace_period: must be at least 1/);
  assert.match(
    issues({ grace_period: 5, max_t: 4 })[0] as string,
    /^max_t: must be at least grace_period \(5\)/,
  );
  assert.match(
    issues({ max_t: 9, reduction_factor: 3, brackets: 4 })[0] as string,
    /^brackets: bracket 3 would have no rung/,
  );
  assert.match(issues({ eta: 3 })[0] as string, /eta/);
  assert.deepEqual(issues({ max_t: 27, reduction_factor: 3, brackets: 3 }), []);
});
