import type { EpochMetricValues, RunStatus, StoredRunParams } from '@sweeplab/shared';

/**
 * What the report is computed from: the sweep, run and epoch rows exactly as they sit in the
 * metrics database (snake_case columns); parameter counts come from the model catalog. Nothing else
 * feeds the numbers, so anyone with sqlite3 and the same rows can reproduce every figure.
 */
export interface ReportSweepRow {
  id: string;
  name: string;
  method: string;
  created_at: string;
  metric?: { name: string; goal: 'maximize' | 'minimize' } | null;
  /** An incremental sweep's search (sweep_searches row): why it ended when not at its run_cap. */
  search?: { status: string; reason: string | null } | null;
}

/**
 * A run's parameters as its row stores them (fields from the RunParams schema). Model and dataset are
 * plain strings: a database may hold names this version's catalog no longer lists.
 */
export type ReportRunParams = Omit<StoredRunParams, 'model' | 'dataset'> & { model: string; dataset: string };

/** The `runs` columns besides its parameters that the report reads. */
export const REPORT_RUN_STATE_FIELDS = ['status', 'backend', 'device', 'error', 'attempt'] as const;

export type ReportRunRow = { id: string } & ReportRunParams & {
    status: RunStatus;
    backend: string | null;
    device: string | null;
    error: string | null;
    attempt: number;
    /** For a `stopped` run: the early_terminate band it was judged at and the threshold it missed. */
    early_stop?: { band: number; value: number; threshold: number } | null;
  };

/** An `epoch_metrics` row: the metric fields of the EpochMetrics schema. */
export type ReportEpochRow = { run_id: string; epoch: number } & EpochMetricValues;

export interface ReportInput {
  sweep: ReportSweepRow;
  runs: ReportRunRow[];
  epochs: ReportEpochRow[];
  /** The sweep's best kept weights (an artifacts row) and where to download them, when there are any. */
  bestWeights?: ReportBestWeights | null;
}

export interface ReportBestWeights {
  run_id: string;
  kind: string;
  epoch: number;
  metric_name: string;
  metric_value: number;
  /** API path of the safetensors download. */
  url: string;
}

/**
 * Rejects inputs whose rows contradict each other (the database's foreign and unique keys should
 * make these impossible, so seeing one means the caller joined the wrong rows).
 */
export function assertValidReportInput(input: ReportInput): void {
  const sweepId = input.sweep.id;
  const runIds = new Set<string>();
  for (const run of input.runs) {
    if (runIds.has(run.id)) throw new Error(`sweep ${sweepId}: run ${run.id} appears twice in the runs rows`);
    runIds.add(run.id);
    if (!Number.isInteger(run.epochs) || run.epochs < 1) {
      throw new Error(`sweep ${sweepId}: run ${run.id} has epochs=${run.epochs}; expected an integer ≥ 1`);
    }
  }
  const seen = new Set<string>();
  for (const row of input.epochs) {
    if (!runIds.has(row.run_id)) {
      throw new Error(
        `sweep ${sweepId}: epoch row ${row.epoch} belongs to run ${row.run_id}, which is not in the runs rows`,
      );
    }
    if (!Number.isInteger(row.epoch) || row.epoch < 1) {
      throw new Error(
        `sweep ${sweepId}: run ${row.run_id} has an epoch row numbered ${row.epoch}; epochs count from 1`,
      );
    }
    const key = `${row.run_id}\u0000${row.epoch}`;
    if (seen.has(key))
      throw new Error(`sweep ${sweepId}: run ${row.run_id} has two rows for epoch ${row.epoch}`);
    seen.add(key);
  }
}
