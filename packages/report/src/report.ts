import type { RunConditionField, RunStatus } from '@sweeplab/shared';
import type { Stat } from './descriptive-stats.ts';
import type { ReportBestWeights, ReportRunParams } from './report-input.ts';
import type { WelchResult } from './welch-t-test.ts';

/**
 * The computed report: plain JSON (no Dates, no NaN; missing values are null) so the API can serve
 * it as `format=json` and the renderers need nothing else. Accuracies are fractions in [0, 1];
 * renderers print them as percentages and differences as percentage points.
 */
export interface Report {
  schemaVersion: 1;
  sweep: {
    id: string;
    name: string;
    method: string;
    createdAt: string;
    metric: { name: string; goal: 'maximize' | 'minimize' } | null;
    /** "stopped: <reason>" when the sweep's search ended before its run_cap (no more runs will come). */
    searchEnded: string | null;
  };
  /** Run counts by status; `inProgress` when any run is not yet terminal (queued or running) (numbers may still move). */
  progress: Record<RunStatus, number> & { total: number; inProgress: boolean };
  /** Distinct learning rates in the sweep, ascending. */
  learningRates: number[];
  /** One block per training condition; models are only compared inside a block. */
  groups: ConditionGroup[];
  /** Runs that are not in any statistic, with the reason: never silently dropped. */
  excludedRuns: ExcludedRun[];
  /** Data problems found in the rows (missing final epoch, non-finite values, ...). */
  warnings: string[];
  /** The rows the report was computed from, for provenance. */
  source: { runRows: number; epochRows: number };
  /** The best run's kept weights by the sweep's metric, when weights were kept. */
  bestWeights?: ReportBestWeights;
}

/** Every parameter except model and seed (RUN_CONDITION_FIELDS): runs sharing these are comparable across models. */
export type Condition = Pick<ReportRunParams, RunConditionField>;

export interface ConditionGroup {
  /** Stable identifier of the condition, e.g. `mnist|lr=0.1|bs=64|m=0|ep=30|train=all|val=all`. */
  key: string;
  condition: Condition;
  /** Epochs sampled in the checkpoint table. */
  checkpoints: number[];
  models: ModelSummary[];
  checkpointTable: CheckpointCell[];
  comparisons: Comparison[];
  curves: ModelCurve[];
  runs: RunResult[];
  notes: string[];
}

/** Statistics over the completed runs (one per seed) of one model under one condition. */
export interface ModelSummary {
  model: string;
  parameters: number | null;
  /** Backends / devices recorded on the completed runs (all runs if none completed). */
  backends: string[];
  devices: string[];
  seeds: number[];
  runsTotal: number;
  runsInStatistics: number;
  finalValAcc: Stat | null;
  finalTrainLoss: Stat | null;
  bestValAcc: Stat | null;
  bestEpoch: Stat | null;
  reach98: ReachSummary;
  reach99: ReachSummary;
  secondsPerEpoch: Stat | null;
  imagesPerSecond: Stat | null;
  /** true/false when the sweep has several learning rates for this condition; null otherwise. */
  bestLr: boolean | null;
}

/** "Epochs to reach X% validation accuracy": how many runs got there and, among those, when. */
export interface ReachSummary {
  threshold: number;
  reached: number;
  of: number;
  /** Over the runs that reached the threshold only. */
  epochs: Stat | null;
  /** Per completed run, in seed order; null = not reached. */
  perRun: Array<number | null>;
}

export interface CheckpointCell {
  model: string;
  epoch: number;
  /** Completed runs with a row at this epoch. */
  n: number;
  trainLoss: Stat | null;
  valAcc: Stat | null;
}

export interface Comparison {
  metric: 'final_val_acc';
  /** The model with the higher mean; `test.difference` = mean(higher) − mean(lower) ≥ 0. */
  higher: string;
  lower: string;
  test: WelchResult;
  /** p < 0.05; null when no test is possible. */
  significant: boolean | null;
  verdict: string;
}

export interface Band {
  mean: number;
  min: number;
  max: number;
}

export interface CurvePoint {
  epoch: number;
  /** Runs contributing to this epoch (varies with missing epochs and runs in progress). */
  n: number;
  trainLoss: Band | null;
  valAcc: Band | null;
}

export interface ModelCurve {
  model: string;
  /** Runs still running whose partial epochs are included in the curve. */
  runningRuns: number;
  points: CurvePoint[];
}

/**
 * What one run contributes to the report (named apart from @sweeplab/db's RunSummary, the per-run SQL
 * aggregate the dashboard polls).
 */
export interface RunResult {
  runId: string;
  model: string;
  seed: number;
  status: RunStatus;
  attempt: number;
  backend: string | null;
  device: string | null;
  error: string | null;
  /** For a `stopped` run: the early_terminate band it was judged at and the threshold it missed. */
  earlyStop: { band: number; value: number; threshold: number } | null;
  epochsRecorded: number;
  lastEpoch: number | null;
  finalValAcc: number | null;
  finalTrainLoss: number | null;
  bestValAcc: number | null;
  bestEpoch: number | null;
  epochsTo98: number | null;
  epochsTo99: number | null;
  secondsPerEpoch: number | null;
  imagesPerSecond: number | null;
  inStatistics: boolean;
}

export interface ExcludedRun {
  runId: string;
  model: string;
  seed: number;
  groupKey: string;
  lr: number;
  status: RunStatus;
  attempt: number;
  epochsRecorded: number;
  epochsPlanned: number;
  error: string | null;
  reason: string;
}
