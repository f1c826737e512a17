import type { MedianStopConfig } from '@sweeplab/shared';
import { nanPercentile } from './nan-percentile.ts';

/**
 * The median stopping rule with Optuna's MedianPruner semantics (optuna/optuna,
 * optuna/pruners/_median.py = PercentilePruner(50) in optuna/pruners/_percentile.py): a running run
 * at step (epoch) t is pruned when
 * - t ≥ grace_period (Optuna: step ≥ n_warmup_steps; our epochs count from 1),
 * - at least `min_runs` runs have completed (n_startup_trials; stopped, failed and cancelled runs
 *   are not completed trials),
 * - at least one completed run has a value at epoch t (n_min_trials = 1), and
 * - its best value so far (nanmax for maximize, nanmin for minimize) is worse than
 *   nanpercentile(completed runs' values at epoch t, 50) — Optuna takes the (100 − 50)th percentile
 *   for maximize, which is the same median.
 * Optuna judges at every reported step (interval_steps = 1), as here at every committed epoch.
 */

export interface MedianRun {
  id: string;
  completed: boolean;
  /** Only these are stopped (running, not at their last epoch). */
  judgeable: boolean;
  /** Metric value per epoch in the metric's units: history[0] is epoch 1. */
  history: readonly number[];
}

export interface MedianDecision {
  id: string;
  /** The epoch judged at: the run's latest. */
  epoch: number;
  /** The run's best value so far, in the metric's units. */
  value: number;
  /** The median of the completed runs at that epoch. */
  threshold: number;
  /** The completed runs whose values at that epoch made the median. */
  compared: string[];
}

type Goal = 'maximize' | 'minimize';
const PERCENTILE = 50;

/** The median at `epoch` of the completed runs that have it, and which runs those are. */
export function completedMedianAt(
  runs: readonly MedianRun[],
  epoch: number,
  goal: Goal,
): { threshold: number; compared: string[] } | null {
  const at = runs
    .filter((r) => r.completed && r.history.length >= epoch && !Number.isNaN(r.history[epoch - 1]))
    .map((r) => ({ id: r.id, value: r.history[epoch - 1] as number }));
  if (at.length === 0) return null;
  const q = goal === 'maximize' ? 100 - PERCENTILE : PERCENTILE;
  return {
    threshold: nanPercentile(
      at.map((r) => r.value),
      q,
    ),
    compared: at.map((r) => r.id),
  };
}

/** The runs to stop now (Optuna's `PercentilePruner.prune` over every running run). */
export function medianStopRuns(
  runs: readonly MedianRun[],
  config: MedianStopConfig,
  goal: Goal,
): MedianDecision[] {
  const completed = runs.filter((r) => r.completed).length;
  if (completed === 0 || completed < config.min_runs) return [];
  const stops: MedianDecision[] = [];
  for (const run of runs) {
    const epoch = run.history.length;
    if (!run.judgeable || epoch === 0 || epoch < config.grace_period) continue;
    const finite = run.history.filter((v) => !Number.isNaN(v));
    if (finite.length === 0) continue;
    const best = goal === 'maximize' ? Math.max(...finite) : Math.min(...finite);
    const median = completedMedianAt(runs, epoch, goal);
    if (!median) continue;
    const worse = goal === 'maximize' ? best < median.threshold : best > median.threshold;
    if (worse) stops.push({ id: run.id, epoch, value: best, ...median });
  }
  return stops;
}
