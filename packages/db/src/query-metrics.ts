import type { DatasetName, LrScheduleName, ModelName, OptimizerName, RunStatus } from '@sweeplab/shared';
import { and, asc, count, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from './open-database.ts';
import { epochMetrics, runs } from './schema.ts';

/** One epoch of one run, with the run's parameters: the flat table behind the metrics view and CSV. */
export interface MetricsRow {
  run_id: string;
  sweep_id: string | null;
  model: ModelName;
  dataset: DatasetName;
  lr: number;
  batch_size: number;
  momentum: number;
  seed: number;
  optimizer: OptimizerName;
  nesterov: boolean;
  weight_decay: number;
  lr_schedule: LrScheduleName;
  lr_step_epochs: number | null;
  lr_gamma: number;
  warmup_epochs: number;
  depth: number;
  status: RunStatus;
  epoch: number;
  train_loss: number;
  train_acc: number;
  val_loss: number;
  val_acc: number;
  epoch_seconds: number;
  images_per_second: number;
  /** The lr this epoch trained at (schedule applied); null for epochs recorded before #11. */
  epoch_lr: number | null;
}

/** Column order of MetricsRow, used for the CSV header. */
export const METRICS_COLUMNS = [
  'run_id',
  'sweep_id',
  'model',
  'dataset',
  'lr',
  'batch_size',
  'momentum',
  'seed',
  'optimizer',
  'nesterov',
  'weight_decay',
  'lr_schedule',
  'lr_step_epochs',
  'lr_gamma',
  'warmup_epochs',
  'depth',
  'status',
  'epoch',
  'train_loss',
  'train_acc',
  'val_loss',
  'val_acc',
  'epoch_seconds',
  'images_per_second',
  'epoch_lr',
] as const satisfies readonly (keyof MetricsRow)[];

export interface MetricsFilter {
  sweepId?: string;
  runId?: string;
  model?: ModelName;
  dataset?: DatasetName;
  status?: RunStatus;
  /** Exact match on the stored value (the same literal the run was submitted with). */
  lr?: number;
  optimizer?: OptimizerName;
  nesterov?: boolean;
  weight_decay?: number;
  lr_schedule?: LrScheduleName;
  warmup_epochs?: number;
  depth?: number;
  momentum?: number;
  batch_size?: number;
  limit: number;
  offset?: number;
}

export const MAX_METRICS_LIMIT = 100_000;

/** Rows ordered by run (queue order) then epoch; `total` counts all matches ignoring limit/offset. */
export function queryMetrics(db: Db, filter: MetricsFilter): { rows: MetricsRow[]; total: number } {
  const offset = filter.offset ?? 0;
  if (!Number.isInteger(filter.limit) || filter.limit < 0 || filter.limit > MAX_METRICS_LIMIT) {
    throw new Error(`metrics limit must be an integer from 0 to ${MAX_METRICS_LIMIT} (got ${filter.limit})`);
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new Error(`metrics offset must be a non-negative integer (got ${offset})`);
  }
  const conditions: SQL[] = [];
  if (filter.sweepId !== undefined) conditions.push(eq(runs.sweep_id, filter.sweepId));
  if (filter.runId !== undefined) conditions.push(eq(runs.id, filter.runId));
  if (filter.model !== undefined) conditions.push(eq(runs.model, filter.model));
  if (filter.dataset !== undefined) conditions.push(eq(runs.dataset, filter.dataset));
  if (filter.status !== undefined) conditions.push(eq(runs.status, filter.status));
  if (filter.lr !== undefined) conditions.push(eq(runs.lr, filter.lr));
  if (filter.optimizer !== undefined) conditions.push(eq(runs.optimizer, filter.optimizer));
  if (filter.nesterov !== undefined) conditions.push(eq(runs.nesterov, filter.nesterov));
  if (filter.weight_decay !== undefined) conditions.push(eq(runs.weight_decay, filter.weight_decay));
  if (filter.lr_schedule !== undefined) conditions.push(eq(runs.lr_schedule, filter.lr_schedule));
  if (filter.warmup_epochs !== undefined) conditions.push(eq(runs.warmup_epochs, filter.warmup_epochs));
  if (filter.depth !== undefined) conditions.push(eq(runs.depth, filter.depth));
  if (filter.momentum !== undefined) conditions.push(eq(runs.momentum, filter.momentum));
  if (filter.batch_size !== undefined) conditions.push(eq(runs.batch_size, filter.batch_size));
  const where = and(...conditions);

  const rows = db
    .select({
      run_id: runs.id,
      sweep_id: runs.sweep_id,
      model: runs.model,
      dataset: runs.dataset,
      lr: runs.lr,
      batch_size: runs.batch_size,
      momentum: runs.momentum,
      seed: runs.seed,
      optimizer: runs.optimizer,
      nesterov: runs.nesterov,
      weight_decay: runs.weight_decay,
      lr_schedule: runs.lr_schedule,
      lr_step_epochs: runs.lr_step_epochs,
      lr_gamma: runs.lr_gamma,
      warmup_epochs: runs.warmup_epochs,
      depth: runs.depth,
      status: runs.status,
      epoch: epochMetrics.epoch,
      train_loss: epochMetrics.train_loss,
      train_acc: epochMetrics.train_acc,
      val_loss: epochMetrics.val_loss,
      val_acc: epochMetrics.val_acc,
      epoch_seconds: epochMetrics.epoch_seconds,
      images_per_second: epochMetrics.images_per_second,
      epoch_lr: epochMetrics.lr,
    })
    .from(epochMetrics)
    .innerJoin(runs, eq(epochMetrics.run_id, runs.id))
    .where(where)
    .orderBy(asc(runs.queued_at), sql`${runs}.rowid`, asc(epochMetrics.epoch))
    .limit(filter.limit)
    .offset(offset)
    .all();
  const total =
    db
      .select({ n: count() })
      .from(epochMetrics)
      .innerJoin(runs, eq(epochMetrics.run_id, runs.id))
      .where(where)
      .get()?.n ?? 0;
  return { rows, total };
}
