import type {
  DatasetName,
  EarlyTerminateType,
  LrScheduleName,
  ModelName,
  OptimizerName,
  RunStatus,
} from '@sweeplab/shared';
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/*
 * Conventions users rely on when they open the file with sqlite3:
 * - SQL names are snake_case, and so are the TypeScript keys, matching the wire contracts (RunParams).
 * - Timestamps are ISO-8601 UTC text with milliseconds ('2025-01-31T12:00:00.000Z'): readable as-is,
 *   sortable as text, and accepted by SQLite's date functions (julianday, strftime).
 * - Enumerations (status, method, ...) are typed in TypeScript only: a CHECK constraint would force a
 *   full table rebuild in SQLite whenever a value is added.
 */

export const SWEEP_METHODS = ['grid', 'random', 'single', 'bayes'] as const;
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
    // Training recipe (issue #11); the defaults are the reference recipe, so older rows read as what ran.
    optimizer: text('optimizer').$type<OptimizerName>().notNull().default('sgd'),
    nesterov: integer('nesterov', { mode: 'boolean' }).notNull().default(false),
    weight_decay: real('weight_decay').notNull().default(0),
    lr_schedule: text('lr_schedule').$type<LrScheduleName>().notNull().default('constant'),
    lr_step_epochs: integer('lr_step_epochs'),
    lr_gamma: real('lr_gamma').notNull().default(0.1),
    warmup_epochs: integer('warmup_epochs').notNull().default(0),
    /** Residual blocks per stage (resnet/plain); 1 is the reference network. */
    depth: integer('depth').notNull().default(1),
    /**
     * The user's program this run starts (issue #21), null for the built-in networks. A program run's
     * built-in columns hold their defaults and mean nothing; its parameters are `program_params`, under
     * the sweep's own names, exactly as its command line was written from them.
     */
    program: text('program'),
    program_params: text('program_params', { mode: 'json' }).$type<Record<string, unknown>>(),
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
    /** Learning rate the epoch trained at (after schedule and warmup); null for rows written before #11. */
    epoch_lr: real('epoch_lr'),
    recorded_at: text('recorded_at').notNull(),
  },
  // The primary key doubles as the (run_id, epoch) unique index every metrics query walks.
  (t) => [primaryKey({ columns: [t.run_id, t.epoch] })],
);

/**
 * What a program logged: one row per run, key and step. The sweep metric's rows, in step order, are the
 * run's iterations for hyperband (W&B counts iterations as the number of times the metric was logged).
 */
export const runMetrics = sqliteTable(
  'run_metrics',
  {
    run_id: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    step: integer('step').notNull(),
    /** Attempt that wrote this row; a lower attempt never overwrites a higher one's row. */
    attempt: integer('attempt').notNull(),
    value: real('value').notNull(),
    recorded_at: text('recorded_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.run_id, t.key, t.step] })],
);
export type RunMetricRow = typeof runMetrics.$inferSelect;

/**
 * The state of a sweep whose runs are proposed one at a time (bayes, or random without run_cap), so a
 * restarted API carries on: everything else it needs (proposals, observations) is in `runs` and
 * `epoch_metrics`.
 */
export const SWEEP_SEARCH_STATUSES = ['active', 'finished', 'stopped'] as const;
export type SweepSearchStatus = (typeof SWEEP_SEARCH_STATUSES)[number];
export const sweepSearches = sqliteTable('sweep_searches', {
  sweep_id: text('sweep_id')
    .primaryKey()
    .references(() => sweeps.id, { onDelete: 'cascade' }),
  /** active: proposing; finished: its cap reached; stopped: DELETE /v1/sweeps/:id or a proposal failed. */
  status: text('status').$type<SweepSearchStatus>().notNull(),
  runs_proposed: integer('runs_proposed').notNull().default(0),
  /** Why the search ended, unless it reached its run_cap (then null): what the user reads. */
  reason: text('reason'),
  updated_at: text('updated_at').notNull(),
});

/**
 * Why a run is `stopped`: the early_terminate rule, the band or rung it was judged at, its value, the
 * threshold it missed and the runs that threshold came from.
 */
export const earlyStops = sqliteTable(
  'early_stops',
  {
    run_id: text('run_id')
      .primaryKey()
      .references(() => runs.id, { onDelete: 'cascade' }),
    sweep_id: text('sweep_id')
      .notNull()
      .references(() => sweeps.id, { onDelete: 'cascade' }),
    /** The early_terminate type that decided (rows written before asha and median are hyperband's). */
    rule: text('rule').$type<EarlyTerminateType>().notNull().default('hyperband'),
    /**
     * The epoch it was judged at: hyperband's largest band passed, ASHA's rung (its milestone, which
     * is fractional for a fractional reduction_factor: SQLite's integer affinity keeps 1.5 as a real),
     * the median rule's latest epoch.
     */
    band: integer('band').notNull(),
    /** ASHA's bracket (0 is the most aggressive); null for the other rules. */
    bracket: integer('bracket'),
    /** The epochs the run had when it was judged. */
    epoch: integer('epoch').notNull(),
    /**
     * The run's value compared, in the metric's units: hyperband's at the band when strict, else its
     * best so far; ASHA's at the rung; the median rule's best so far.
     */
    value: real('value').notNull(),
    threshold: real('threshold').notNull(),
    /** The runs whose values set the threshold (JSON array of run ids); null on rows written before. */
    compared_run_ids: text('compared_run_ids', { mode: 'json' }).$type<string[]>(),
    /** When the epoch row that triggered the decision was committed, and when the worker was told. */
    committed_at: text('committed_at').notNull(),
    told_at: text('told_at'),
    latency_ms: real('latency_ms'),
  },
  (t) => [index('early_stops_sweep_id_idx').on(t.sweep_id)],
);

export const ARTIFACT_KINDS = ['final', 'best'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];
export const ARTIFACT_FORMATS = ['safetensors'] as const;
export type ArtifactFormat = (typeof ARTIFACT_FORMATS)[number];

/**
 * Trained weights kept for users: one row per run, kind and stored format. The file lives in the
 * artifacts directory beside the database, named by its sha256 (content-addressed: equal weights are
 * stored once however many rows name them). A row is written only after its file is complete.
 */
export const artifacts = sqliteTable(
  'artifacts',
  {
    run_id: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    /** `final`: the weights after the last epoch; `best`: at the epoch best by the sweep's metric. */
    kind: text('kind').$type<ArtifactKind>().notNull(),
    format: text('format').$type<ArtifactFormat>().notNull(),
    epoch: integer('epoch').notNull(),
    /** Attempt that produced the weights; a lower attempt never replaces a higher one's artifact. */
    attempt: integer('attempt').notNull(),
    /** The metric that chose `best` (the sweep's, val_acc when none) and its value at `epoch`. */
    metric_name: text('metric_name').notNull(),
    metric_value: real('metric_value').notNull(),
    val_acc: real('val_acc').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    created_at: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.run_id, t.kind, t.format] }), index('artifacts_sha256_idx').on(t.sha256)],
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
export type SweepSearch = typeof sweepSearches.$inferSelect;
export type EarlyStop = typeof earlyStops.$inferSelect;
export type Artifact = typeof artifacts.$inferSelect;
export type NewArtifact = typeof artifacts.$inferInsert;
