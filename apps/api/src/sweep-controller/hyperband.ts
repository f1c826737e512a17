import { type HyperbandConfig, hyperbandBands } from '@sweeplab/shared';

/**
 * Hyperband early termination with wandb/sweeps' semantics (hyperband_stopping.py): metric values are
 * sign-flipped for `maximize` so lower is better; threshold(b) is the floor(n/eta)-th smallest value
 * at epoch b among the n runs of the sweep that reached epoch b (any status); a running run is judged
 * at the largest band it has passed — with `strict`, by its value at that band, otherwise by its best
 * value so far — and stopped when that value is worse than (greater than) the threshold. The first run
 * to reach a band is its own threshold, so it is never stopped there.
 */

export interface HyperbandRun {
  id: string;
  /** Only running runs are judged; every run's history sets thresholds. */
  running: boolean;
  /** Metric value per epoch in the metric's own units: history[0] is epoch 1. */
  history: readonly number[];
}

export interface HyperbandStop {
  id: string;
  band: number;
  /** The value compared, in the metric's units. */
  value: number;
  /** The threshold it was worse than, in the metric's units. */
  threshold: number;
  /** Epochs the run had. */
  epoch: number;
}

type Goal = 'maximize' | 'minimize';

// 0 - v rather than -v: a maximized 0 comes back as 0, not -0.
const lowerIsBetter = (v: number, goal: Goal) => (goal === 'maximize' ? 0 - v : v);

/** threshold(b) per band, lower-is-better units; Infinity where no run reached the band. */
export function hyperbandThresholds(
  histories: readonly (readonly number[])[],
  bands: readonly number[],
  eta: number,
): number[] {
  const r = 1 / eta;
  return bands.map((band) => {
    const values = histories.filter((h) => h.length >= band).map((h) => h[band - 1] as number);
    if (values.length === 0) return Number.POSITIVE_INFINITY;
    values.sort((a, b) => a - b);
    return values[Math.floor(r * values.length)] as number;
  });
}

/** The runs to stop now, given every run of the sweep (W&B's `hyperband_stop_runs`). */
export function hyperbandStopRuns(
  runs: readonly HyperbandRun[],
  config: HyperbandConfig,
  goal: Goal,
): HyperbandStop[] {
  const bands = hyperbandBands(config);
  const histories = runs
    .map((run) => run.history.filter(Number.isFinite).map((v) => lowerIsBetter(v, goal)))
    .filter((h) => h.length > 0);
  const thresholds = hyperbandThresholds(histories, bands, config.eta);
  const stops: HyperbandStop[] = [];
  for (const run of runs) {
    if (!run.running) continue;
    const history = run.history.filter(Number.isFinite).map((v) => lowerIsBetter(v, goal));
    let closest = -1;
    let threshold = 0;
    for (const [i, band] of bands.entries()) {
      if (band <= history.length) {
        closest = band;
        threshold = thresholds[i] as number;
      } else break;
    }
    if (closest === -1) continue;
    const value = config.strict ? (history[closest - 1] as number) : Math.min(...history);
    if (value > threshold) {
      stops.push({
        id: run.id,
        band: closest,
        value: lowerIsBetter(value, goal),
        threshold: lowerIsBetter(threshold, goal),
        epoch: history.length,
      });
    }
  }
  return stops;
}
