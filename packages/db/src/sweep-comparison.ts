import {
  type DatasetName,
  type ModelName,
  REFERENCE_RECIPE,
  TRAINING_RECIPE_FIELDS,
  type TrainingRecipe,
} from '@sweeplab/shared';
import type { Db } from './open-database.ts';
import { type RunSummary, runSummaries } from './run-summaries.ts';
import { describe, type Stat } from './statistics.ts';

/** Everything that defines a configuration except the seed, which is the replicate dimension. */
export interface ComparisonParams extends TrainingRecipe {
  model: ModelName;
  dataset: DatasetName;
  lr: number;
  epochs: number;
  batch_size: number;
  momentum: number;
  train_subset: number | null;
  val_subset: number | null;
}

export interface EpochComparison {
  epoch: number;
  /** Runs of the group that recorded this epoch (of any status). */
  n: number;
  train_loss: Stat;
  val_acc: Stat;
}

export interface ComparisonGroup {
  /** Human-readable label, e.g. `resnet mnist lr=0.1 bs=64 mom=0.9 epochs=30`. */
  label: string;
  params: ComparisonParams;
  /** Every run of the configuration with its final values, for tests between groups. */
  runs: RunSummary[];
  /** Over completed runs only: a run stopped early would drag the mean towards its partial curve. */
  final_val_acc: Stat;
  best_val_acc: Stat;
  epochs: EpochComparison[];
}

export interface SweepComparison {
  sweep_id: string;
  groups: ComparisonGroup[];
}

function paramsOf(r: RunSummary): ComparisonParams {
  return {
    model: r.model,
    dataset: r.dataset,
    lr: r.lr,
    epochs: r.epochs,
    batch_size: r.batch_size,
    momentum: r.momentum,
    train_subset: r.train_subset,
    val_subset: r.val_subset,
    ...(Object.fromEntries(TRAINING_RECIPE_FIELDS.map((f) => [f, r[f]])) as TrainingRecipe),
  };
}

function labelOf(p: ComparisonParams): string {
  const parts = [
    p.model,
    p.dataset,
    `lr=${p.lr}`,
    `bs=${p.batch_size}`,
    `mom=${p.momentum}`,
    `epochs=${p.epochs}`,
  ];
  if (p.train_subset !== null) parts.push(`train_subset=${p.train_subset}`);
  if (p.val_subset !== null) parts.push(`val_subset=${p.val_subset}`);
  for (const f of TRAINING_RECIPE_FIELDS) if (p[f] !== REFERENCE_RECIPE[f]) parts.push(`${f}=${p[f]}`);
  return parts.join(' ');
}

/**
 * Groups a sweep's runs by configuration and summarises each epoch across seeds. SQL fetches the rows
 * (one indexed pass); the mean and sample std are computed in TypeScript with a two-pass formula
 * (see statistics.ts), because SQLite has no stddev and sum-of-squares in SQL is numerically fragile.
 */
export function sweepComparison(db: Db, sweepId: string): SweepComparison {
  if (!db.$client.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(sweepId)) {
    throw new Error(`sweep ${sweepId} not found`);
  }
  const summaries = runSummaries(db, { sweepId });
  const groups = new Map<string, { params: ComparisonParams; runs: RunSummary[] }>();
  const groupOfRun = new Map<string, string>();
  for (const run of summaries) {
    const params = paramsOf(run);
    const key = JSON.stringify(Object.values(params));
    let group = groups.get(key);
    if (!group) {
      group = { params, runs: [] };
      groups.set(key, group);
    }
    group.runs.push(run);
    groupOfRun.set(run.run_id, key);
  }

  const points = db.$client
    .prepare(
      `SELECT m.run_id, m.epoch, m.train_loss, m.val_acc FROM epoch_metrics m
       JOIN runs r ON r.id = m.run_id WHERE r.sweep_id = ? ORDER BY m.epoch`,
    )
    .all(sweepId) as { run_id: string; epoch: number; train_loss: number; val_acc: number }[];
  // group key → epoch → values
  const byEpoch = new Map<string, Map<number, { train_loss: number[]; val_acc: number[] }>>();
  for (const p of points) {
    const key = groupOfRun.get(p.run_id);
    if (key === undefined) continue;
    let epochs = byEpoch.get(key);
    if (!epochs) {
      epochs = new Map();
      byEpoch.set(key, epochs);
    }
    let values = epochs.get(p.epoch);
    if (!values) {
      values = { train_loss: [], val_acc: [] };
      epochs.set(p.epoch, values);
    }
    values.train_loss.push(p.train_loss);
    values.val_acc.push(p.val_acc);
  }

  const result: ComparisonGroup[] = [];
  for (const [key, group] of groups) {
    const completed = group.runs.filter((r) => r.status === 'completed');
    const finals = completed.flatMap((r) => (r.final_val_acc === null ? [] : [r.final_val_acc]));
    const bests = completed.flatMap((r) => (r.best_val_acc === null ? [] : [r.best_val_acc]));
    const epochs = [...(byEpoch.get(key) ?? new Map()).entries()]
      .sort(([a], [b]) => a - b)
      .map(([epoch, v]) => ({
        epoch,
        n: v.val_acc.length,
        train_loss: describe(v.train_loss),
        val_acc: describe(v.val_acc),
      }));
    result.push({
      label: labelOf(group.params),
      params: group.params,
      runs: group.runs,
      final_val_acc: describe(finals),
      best_val_acc: describe(bests),
      epochs,
    });
  }
  result.sort((a, b) => a.label.localeCompare(b.label));
  return { sweep_id: sweepId, groups: result };
}
