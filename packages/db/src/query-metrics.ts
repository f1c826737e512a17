import {
  type DatasetName,
  EPOCH_METRIC_FIELDS,
  type EpochMetricValues,
  type ModelName,
  pickFields,
  RUN_PARAM_FIELDS,
  type RunStatus,
  type StoredRunParams,
} from '@sweeplab/shared';
import { and, asc, count, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from './open-database.ts';
import { epochMetrics, runs } from './schema.ts';

/**
 * One epoch of one run, with the run's parameters: the flat table behind the metrics view and CSV.
 * Its fields come from the zod schemas (RunParams, EpochMetrics), so a new parameter or metric shows
 * up here once it has a column.
 */
export type MetricsRow = { run_id: string; sweep_id: string | null } & StoredRunParams & {
    status: RunStatus;
    epoch: number;
  } & EpochMetricValues;

/** Column order of MetricsRow, used for the CSV header. */
export const METRICS_COLUMNS = [
  'run_id',
  'sweep_id',
  ...RUN_PARAM_FIELDS,
  'status',
  'epoch',
  ...EPOCH_METRIC_FIELDS,
] as const satisfies readonly (keyof MetricsRow)[];

const SELECTION = {
  run_id: runs.id,
  sweep_id: runs.sweep_id,
  ...pickFields(runs, RUN_PARAM_FIELDS),
  status: runs.status,
  epoch: epochMetrics.epoch,
  ...pickFields(epochMetrics, EPOCH_METRIC_FIELDS),
};

/**
 * Any run parameter filters by exact match on the stored value (the same literal the run was submitted
 * with, e.g. `lr: 0.1`, `optimizer: 'adam'`, `depth: 3`).
 */
export type MetricsFilter = Partial<StoredRunParams> & {
  sweepId?: string;
  runId?: string;
  model?: ModelName;
  dataset?: DatasetName;
  status?: RunStatus;
  limit: number;
  offset?: number;
};

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
  if (filter.status !== undefined) conditions.push(eq(runs.status, filter.status));
  for (const field of RUN_PARAM_FIELDS) {
    const value = filter[field];
    if (value !== undefined) conditions.push(value === null ? isNull(runs[field]) : eq(runs[field], value));
  }
  const where = and(...conditions);

  const rows = db
    .select(SELECTION)
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
  return { rows: rows as MetricsRow[], total };
}
