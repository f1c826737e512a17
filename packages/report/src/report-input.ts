import type { RunStatus, TrainingRecipe } from '@sweeplab/shared';

/**
 * What the report is computed from: the sweep, run and epoch rows exactly as they sit in the
 * metrics database (snake_case columns), plus parameter counts the caller looks up. Nothing else
 * feeds the numbers, so anyone with sqlite3 and the same rows can reproduce every figure.
 */
export interface ReportSweepRow {
  id: string;
  name: string;
  method: string;
  created_at: string;
  metric?: { name: string; goal: 'maximize' | 'minimize' } | null;
}

/** A run row; the training recipe (optimizer, schedule, depth, ...) is part of what makes runs comparable. */
export interface ReportRunRow extends TrainingRecipe {
  id: string;
  model: string;
  dataset: string;
  lr: number;
  batch_size: number;
  momentum: number;
  seed: number;
  epochs: number;
  train_subset: number | null;
  val_subset: number | null;
  status: RunStatus;
  backend: string | null;
  device: string | null;
  error: string | null;
  attempt: number;
}

export interface ReportEpochRow {
  run_id: string;
  epoch: number;
  train_loss: number;
  train_acc: number;
  val_loss: number;
  val_acc: number;
  epoch_seconds: number;
  images_per_second: number;
}

export interface ReportInput {
  sweep: ReportSweepRow;
  runs: ReportRunRow[];
  epochs: ReportEpochRow[];
  /**
   * Trainable parameter counts by `parameterCountKey(model, depth)` (the model name at depth 1); models
   * missing here are reported as "unknown".
   */
  parameterCounts: Record<string, number>;
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
