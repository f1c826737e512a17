import type { DatasetName, ModelName, RunStatus } from '@sweeplab/shared';
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/*
 * Conventions users rely on when they open the file with sqlite3:
 * - SQL names are snake_case, and so are the TypeScript keys, matching the wire contracts (RunParams).
 * - Timestamps are ISO-8601 UTC text with milliseconds ('2025-01-31T12:00:00.000Z'): readable as-is,
 *   sortable as text, and accepted by SQLite's date functions (julianday, strftime).
 * - Enumerations (status, method, ...) are typed in TypeScript only: a CHECK constraint would force a
 *   full table rebuild in SQLite whenever a value is added.
 */

export const SWEEP_METHODS = ['grid', 'random', 'single'] as const;
export type SweepMethod = (typeof SWEEP_METHODS)[number];
export type MetricGoal = 'maximize' | 'minimize';

export const sweeps = sqliteTable('sweeps', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  method: text('method').$type<SweepMethod>().notNull(),
  /** The sweep config exactly as submitted (W&B style), for provenance; never filtered on. */
  config: text('config', { mode: 'json' }).$type<unknown>().notNull(),
  metric_name: text('metric_name'),
  metric_goal: text('metric_goal').$type<MetricGoal>(),
  created_at: text('created_at').notNull(),
});

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    sweep_id: text('sweep_id').references(() => sweeps.id, { onDelete: 'cascade' }),
    model: text('model').$type<ModelName>().notNull(),
    dataset: text('dataset').$type<DatasetName>().notNull(),
    lr: real('lr').notNull(),
    epochs: integer('epochs').notNull(),
    batch_size: integer('batch_size').notNull(),
    seed: integer('seed').notNull(),
    momentum: real('momentum').notNull(),
    train_subset: integer('train_subset'),
    val_subset: integer('val_subset'),
    status: text('status').$type<RunStatus>().notNull().default('queued'),
    /** Highest attempt seen for this run: the fencing token; events from lower attempts are ignored. */
    attempt: integer('attempt').notNull().default(0),
    worker: text('worker'),
    backend: text('backend'),
    tfjs_version: text('tfjs_version'),
    device: text('device'),
    /** Epochs already done when the latest attempt began (resumed from a checkpoint); null before a start. */
    resumed_from_epoch: integer('resumed_from_epoch'),
    /** Last error reported; kept when a retry succeeds so the history stays visible. */
    error: text('error'),
    queued_at: text('queued_at').notNull(),
    started_at: text('started_at'),
    finished_at: text('finished_at'),
  },
  (t) => [
    index('runs_sweep_id_idx').on(t.sweep_id),
    index('runs_model_dataset_idx').on(t.model, t.dataset),
    // Status counts and the queued-run reconciliation scan; queued_at keeps that scan in queue order.
    index('runs_status_queued_at_idx').on(t.status, t.queued_at),
  ],
);

export const epochMetrics = sqliteTable(
  'epoch_metrics',
  {
    run_id: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    epoch: integer('epoch').notNull(),
    /** Attempt that wrote this row; a lower attempt never overwrites a higher one's row. */
    attempt: integer('attempt').notNull(),
    train_loss: real('train_loss').notNull(),
    train_acc: real('train_acc').notNull(),
    val_loss: real('val_loss').notNull(),
    val_acc: real('val_acc').notNull(),
    epoch_seconds: real('epoch_seconds').notNull(),
    images_per_second: real('images_per_second').notNull(),
    recorded_at: text('recorded_at').notNull(),
  },
  // The primary key doubles as the (run_id, epoch) unique index every metrics query walks.
  (t) => [primaryKey({ columns: [t.run_id, t.epoch] })],
);

export type Sweep = typeof sweeps.$inferSelect;
export type NewSweep = typeof sweeps.$inferInsert;
export type Run = typeof runs.$inferSelect;
export type NewRun = typeof runs.$inferInsert;
export type EpochMetricsRow = typeof epochMetrics.$inferSelect;
export type NewEpochMetricsRow = typeof epochMetrics.$inferInsert;

/**
 * Facts about the database file itself, one row per key. `database_id` (a UUID written by the
 * migration that created this table) names the file for the API's lease in Redis, so two APIs on
 * different files can tell each other apart.
 */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
