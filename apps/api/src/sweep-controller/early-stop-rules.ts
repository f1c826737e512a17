import type { EarlyStop, RunHistory } from '@sweeplab/db';
import type { ReportRungRow } from '@sweeplab/report';
import { type EarlyTerminateConfig, type EarlyTerminateType, hyperbandBands } from '@sweeplab/shared';
import { ashaBracketOf, ashaDecisions, ashaStopRuns } from './asha.ts';
import { hyperbandStopRuns, hyperbandThresholds } from './hyperband.ts';
import { completedMedianAt, medianStopRuns } from './median-stopping.ts';

/**
 * One entry point for the sweep's `early_terminate` rule (hyperband.ts, asha.ts, median-stopping.ts):
 * which running runs to stop now, with everything a reader needs to check the decision, and the rung
 * table (per band, rung or epoch: runs that reached it, stopped there, kept, the threshold now).
 */

type Goal = 'maximize' | 'minimize';

export interface EarlyStopDecision {
  id: string;
  rule: EarlyTerminateType;
  /** Hyperband's band, ASHA's rung, the median rule's epoch. */
  band: number;
  bracket?: number;
  /** The epochs the run had when judged. */
  epoch: number;
  value: number;
  threshold: number;
  /** The runs whose values set the threshold (the run itself excluded). */
  compared: string[];
}

/** One row of the rung table; the report's type is its one definition (for ASHA, reached = recorded at it). */
export type RungRow = ReportRungRow;

// A run at its last epoch is finishing anyway: stopping it would only hide that it completed.
const judgeable = (r: RunHistory) => r.status === 'running' && r.history.length < r.epochs;
const finite = (h: readonly number[]) => h.filter(Number.isFinite);

function ashaRuns(
  runs: readonly RunHistory[],
  rule: Extract<EarlyTerminateConfig, { type: 'asha' }>,
  seed: number,
) {
  return runs.map((r) => ({
    id: r.id,
    judgeable: judgeable(r),
    history: r.history,
    arrivals: r.arrivals,
    bracket: ashaBracketOf(r.id, rule, seed),
  }));
}

/** The runs to stop now under `rule`, given every run of the sweep. */
export function decideEarlyStops(
  rule: EarlyTerminateConfig,
  runs: readonly RunHistory[],
  goal: Goal,
  seed: number,
): EarlyStopDecision[] {
  if (rule.type === 'asha') {
    return ashaStopRuns(ashaRuns(runs, rule, seed), rule, goal).map((d) => ({
      id: d.id,
      rule: 'asha',
      band: d.rung,
      bracket: d.bracket,
      epoch: d.epoch,
      value: d.value,
      threshold: d.cutoff as number,
      compared: d.compared,
    }));
  }
  if (rule.type === 'median') {
    return medianStopRuns(
      runs.map((r) => ({
        id: r.id,
        completed: r.status === 'completed',
        judgeable: judgeable(r),
        history: r.history,
      })),
      rule,
      goal,
    ).map((d) => ({ ...d, rule: 'median', band: d.epoch }));
  }
  const stops = hyperbandStopRuns(
    runs.map((r) => ({ id: r.id, running: judgeable(r), history: r.history })),
    rule,
    goal,
  );
  // W&B's threshold is taken over every run that reached the band (this one included).
  return stops.map((s) => ({
    ...s,
    rule: 'hyperband',
    compared: runs.filter((r) => r.id !== s.id && finite(r.history).length >= s.band).map((r) => r.id),
  }));
}

/** The sweep's rung table; `stops` are the early stops recorded so far. */
export function rungTable(
  rule: EarlyTerminateConfig,
  runs: readonly RunHistory[],
  stops: readonly Pick<EarlyStop, 'band' | 'bracket'>[],
  goal: Goal,
  seed: number,
): RungRow[] {
  const stoppedAt = (rung: number, bracket: number | null) =>
    stops.filter((s) => s.band === rung && (bracket === null || s.bracket === bracket)).length;
  const row = (bracket: number | null, rung: number, reached: number, threshold: number | null): RungRow => {
    const stopped = stoppedAt(rung, bracket);
    return { bracket, rung, reached, stopped, kept: reached - stopped, threshold };
  };
  const longest = Math.max(1, ...runs.map((r) => r.epochs));
  if (rule.type === 'asha') {
    return ashaDecisions(ashaRuns(runs, rule, seed), rule, goal).rungs.map((r) =>
      row(r.bracket, r.rung, r.recorded, r.cutoff),
    );
  }
  const reachedAt = (epoch: number) => runs.filter((r) => finite(r.history).length >= epoch).length;
  if (rule.type === 'median') {
    const medianRuns = runs.map((r) => ({
      id: r.id,
      completed: r.status === 'completed',
      judgeable: false,
      history: r.history,
    }));
    const completed = medianRuns.filter((r) => r.completed).length;
    const rows: RungRow[] = [];
    for (let epoch = rule.grace_period; epoch < longest; epoch++) {
      const median = completed >= rule.min_runs ? completedMedianAt(medianRuns, epoch, goal) : null;
      rows.push(row(null, epoch, reachedAt(epoch), median?.threshold ?? null));
    }
    return rows;
  }
  const bands = hyperbandBands(rule).filter((b) => b <= longest);
  const flip = (v: number) => (goal === 'maximize' ? 0 - v : v);
  const thresholds = hyperbandThresholds(
    runs.map((r) => finite(r.history).map(flip)).filter((h) => h.length > 0),
    bands,
    rule.eta,
  );
  return bands.map((band, i) => {
    const t = thresholds[i] as number;
    return row(null, band, reachedAt(band), Number.isFinite(t) ? flip(t) : null);
  });
}
