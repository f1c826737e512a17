import { type AshaConfig, ashaBracketRungs, createPrng } from '@sweeplab/shared';
import { nanPercentile } from './nan-percentile.ts';

/**
 * Asynchronous successive halving with Ray Tune's semantics (ray-project/ray,
 * python/ray/tune/schedulers/async_hyperband.py, `AsyncHyperBandScheduler` = `ASHAScheduler`):
 * - each run belongs to one bracket, drawn with probability ∝ e^(rungs in the bracket − most rungs);
 * - at each epoch a run is recorded at the highest rung (milestone ≤ epoch) it is not yet recorded at,
 *   with its value at that epoch, and judged against the runs recorded at that rung of its bracket
 *   *before* it: it is stopped when its value is below the cutoff
 *   nanpercentile(recorded, (1 − 1/reduction_factor)·100) (so only the top 1/reduction_factor go on);
 *   the first run at a rung has no cutoff and always goes on;
 * - values are sign-flipped for `minimize` (Ray's metric_op), so higher is better.
 * Rungs at or past max_t never stop a run: Ray ends trials there, and here a run at its last epoch is
 * finishing anyway. Ray's arrival order is the order the epoch rows were committed (their SQLite rowid),
 * so every decision is reproducible from the database after a restart. A run that was stopped is not
 * recorded at any later rung, even if one more epoch of it landed before the worker heard.
 */

export interface AshaRun {
  id: string;
  /** Only these are stopped (running, not at their last epoch); every run's history is recorded. */
  judgeable: boolean;
  /** Metric value per epoch in the metric's units: history[0] is epoch 1. */
  history: readonly number[];
  /** Commit order of each epoch's row (parallel to history). */
  arrivals: readonly number[];
}

export interface AshaDecision {
  id: string;
  bracket: number;
  rung: number;
  /** The epoch at which the run was recorded at the rung (the first epoch ≥ rung). */
  epoch: number;
  /** In the metric's units. */
  value: number;
  /** null for the first run at a rung (nothing to compare with). */
  cutoff: number | null;
  /** Runs recorded at this rung of this bracket before this run. */
  compared: string[];
  stop: boolean;
}

export interface AshaRung {
  bracket: number;
  rung: number;
  /** Runs recorded at the rung so far. */
  recorded: number;
  /** Of those, decided "stop" at this rung. */
  stopped: number;
  /** The cutoff the next run reaching this rung would face (metric units); null before any run. */
  cutoff: number | null;
}

type Goal = 'maximize' | 'minimize';
// Ray's metric_op: 1 for max, −1 for min. 0 - v keeps a flipped 0 from turning into −0.
const reward = (v: number, goal: Goal) => (goal === 'maximize' ? v : 0 - v);

/** Ray's `on_trial_add`: a bracket drawn from a softmax over the brackets' rung counts, seeded per run. */
export function ashaBracketOf(runId: string, config: AshaConfig, seed: number): number {
  const sizes = ashaBracketRungs(config).map((r) => r.length);
  if (sizes.length === 1) return 0;
  const most = Math.max(...sizes);
  const weights = sizes.map((n) => Math.exp(n - most));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = createPrng(seed, 'asha-bracket', runId).next() * total;
  for (const [i, w] of weights.entries()) {
    u -= w;
    if (u < 0) return i;
  }
  return sizes.length - 1;
}

/** Every recording of every run in commit order, with the decision Ray would have taken at it. */
export function ashaDecisions(
  runs: readonly (AshaRun & { bracket: number })[],
  config: AshaConfig,
  goal: Goal,
): { decisions: AshaDecision[]; rungs: AshaRung[] } {
  const bracketRungs = ashaBracketRungs(config).map((rungs) => rungs.filter((m) => m < config.max_t));
  const events: { run: AshaRun & { bracket: number }; rung: number; epoch: number; arrival: number }[] = [];
  for (const run of runs) {
    const rungs = bracketRungs[run.bracket] ?? [];
    const done = new Set<number>();
    for (let epoch = 1; epoch <= run.history.length; epoch++) {
      if (!Number.isFinite(run.history[epoch - 1])) continue;
      // Ray walks its rungs from the highest down and records at the first one reached and not yet recorded.
      const rung = [...rungs].reverse().find((m) => m <= epoch && !done.has(m));
      if (rung === undefined) continue;
      done.add(rung);
      events.push({ run, rung, epoch, arrival: run.arrivals[epoch - 1] as number });
    }
  }
  events.sort((a, b) => a.arrival - b.arrival);

  const recorded = new Map<string, { id: string; reward: number }[]>();
  // Ray's `_Bracket.cutoff`: None for an empty rung, else the (1 − 1/rf) percentile of the rewards there.
  const cutoffOf = (at: readonly { reward: number }[]) =>
    at.length === 0
      ? null
      : nanPercentile(
          at.map((r) => r.reward),
          (1 - 1 / config.reduction_factor) * 100,
        );
  const stopped = new Set<string>();
  const decisions: AshaDecision[] = [];
  for (const e of events) {
    if (stopped.has(e.run.id)) continue;
    const key = `${e.run.bracket}|${e.rung}`;
    const before = recorded.get(key) ?? [];
    const value = e.run.history[e.epoch - 1] as number;
    const rew = reward(value, goal);
    const cutoff = cutoffOf(before);
    const stop = cutoff !== null && rew < cutoff;
    decisions.push({
      id: e.run.id,
      bracket: e.run.bracket,
      rung: e.rung,
      epoch: e.epoch,
      value,
      cutoff: cutoff === null ? null : reward(cutoff, goal),
      compared: before.map((r) => r.id),
      stop,
    });
    if (stop) stopped.add(e.run.id);
    recorded.set(key, [...before, { id: e.run.id, reward: rew }]);
  }

  const rungs: AshaRung[] = bracketRungs.flatMap((list, bracket) =>
    list.map((rung) => {
      const at = recorded.get(`${bracket}|${rung}`) ?? [];
      const cutoff = cutoffOf(at);
      return {
        bracket,
        rung,
        recorded: at.length,
        stopped: decisions.filter((d) => d.stop && d.bracket === bracket && d.rung === rung).length,
        cutoff: cutoff === null ? null : reward(cutoff, goal),
      };
    }),
  );
  return { decisions, rungs };
}

/** The runs to stop now: judgeable runs whose latest recording was decided "stop". */
export function ashaStopRuns(
  runs: readonly (AshaRun & { bracket: number })[],
  config: AshaConfig,
  goal: Goal,
): AshaDecision[] {
  const { decisions } = ashaDecisions(runs, config, goal);
  const latest = new Map<string, AshaDecision>();
  for (const d of decisions) latest.set(d.id, d);
  const judgeable = new Set(runs.filter((r) => r.judgeable).map((r) => r.id));
  return [...latest.values()].filter((d) => d.stop && judgeable.has(d.id));
}
