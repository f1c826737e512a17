import { RUN_STATUSES, type RunStatus } from '@sweeplab/shared';
import { and, asc, count, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from './open-database.ts';
import { type EpochMetricsRow, epochMetrics, type Run, runs } from './schema.ts';

// `epochs` is taken by the planned epoch count, hence `metrics` for the rows.
export type RunWithMetrics = Run & { metrics: EpochMetricsRow[] };
export type RunStatusCounts = Record<RunStatus, number>;

export function emptyStatusCounts(): RunStatusCounts {
  return Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as RunStatusCounts;
}

/** The run and its epoch rows in epoch order; undefined when there is no such run. */
export function getRun(db: Db, id: string): RunWithMetrics | undefined {
  const run = db.select().from(runs).where(eq(runs.id, id)).get();
  if (!run) return undefined;
  const metrics = db
    .select()
    .from(epochMetrics)
    .where(eq(epochMetrics.run_id, id))
    .orderBy(asc(epochMetrics.epoch))
    .all();
  return { ...run, metrics };
}

export interface ListRunsFilter {
  sweepId?: string;
  status?: RunStatus;
}

/** Runs in the order they were queued (insertion order breaks ties within one sweep). */
export function listRuns(db: Db, filter: ListRunsFilter = {}): Run[] {
  const where: SQL[] = [];
  if (filter.sweepId !== undefined) where.push(eq(runs.sweep_id, filter.sweepId));
  if (filter.status !== undefined) where.push(eq(runs.status, filter.status));
  return db
    .select()
    .from(runs)
    .where(and(...where))
    .orderBy(asc(runs.queued_at), sql`${runs}.rowid`)
    .all();
}

/** Counts of runs per status, every status present (zero when none). */
export function runsByStatus(db: Db, filter: { sweepId?: string } = {}): RunStatusCounts {
  const rows = db
    .select({ status: runs.status, n: count() })
    .from(runs)
    .where(filter.sweepId === undefined ? undefined : eq(runs.sweep_id, filter.sweepId))
    .groupBy(runs.status)
    .all();
  const counts = emptyStatusCounts();
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

export function countEpochRows(db: Db): number {
  return db.select({ n: count() }).from(epochMetrics).get()?.n ?? 0;
}

/** Ids of queued runs, oldest first: the API compares them with the BullMQ queue to re-enqueue lost jobs. */
export function listQueuedRunIds(db: Db): string[] {
  return db
    .select({ id: runs.id })
    .from(runs)
    .where(eq(runs.status, 'queued'))
    .orderBy(asc(runs.queued_at), sql`${runs}.rowid`)
    .all()
    .map((r) => r.id);
}

/** The program a run starts (its queue): null for the built-in networks; undefined when there is no such run. */
export function runProgram(db: Db, id: string): string | null | undefined {
  const row = db.select({ program: runs.program }).from(runs).where(eq(runs.id, id)).get();
  return row ? row.program : undefined;
}
