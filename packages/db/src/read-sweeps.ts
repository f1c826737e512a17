import { RUN_STATUSES } from '@sweeplab/shared';
import { asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from './open-database.ts';
import { emptyStatusCounts, type RunStatusCounts } from './read-runs.ts';
import { runs, type Sweep, type SweepSearch, sweepSearches, sweeps } from './schema.ts';

/** An incremental sweep's search (bayes, random without run_cap): whether it proposes, and why it ended. */
export type SweepSearchSummary = Pick<SweepSearch, 'status' | 'reason'>;
export type SweepWithCounts = Sweep & {
  total_runs: number;
  counts: RunStatusCounts;
  /** null for a sweep whose runs were all created when it was submitted. */
  search: SweepSearchSummary | null;
};

function searchesBySweep(db: Db, sweepId?: string): Map<string, SweepSearchSummary> {
  const rows = db
    .select({ sweep_id: sweepSearches.sweep_id, status: sweepSearches.status, reason: sweepSearches.reason })
    .from(sweepSearches)
    .where(sweepId === undefined ? undefined : eq(sweepSearches.sweep_id, sweepId))
    .all();
  return new Map(rows.map(({ sweep_id, ...search }) => [sweep_id, search]));
}

function countsBySweep(db: Db, sweepId?: string): Map<string, RunStatusCounts> {
  const rows = db
    .select({ sweep_id: runs.sweep_id, status: runs.status, n: count() })
    .from(runs)
    .where(sweepId === undefined ? sql`${runs.sweep_id} IS NOT NULL` : eq(runs.sweep_id, sweepId))
    .groupBy(runs.sweep_id, runs.status)
    .all();
  const bySweep = new Map<string, RunStatusCounts>();
  for (const row of rows) {
    if (row.sweep_id === null) continue;
    let counts = bySweep.get(row.sweep_id);
    if (!counts) {
      counts = emptyStatusCounts();
      bySweep.set(row.sweep_id, counts);
    }
    counts[row.status] = row.n;
  }
  return bySweep;
}

function withCounts(
  sweep: Sweep,
  counts: RunStatusCounts | undefined,
  search: SweepSearchSummary | undefined,
): SweepWithCounts {
  const c = counts ?? emptyStatusCounts();
  return {
    ...sweep,
    total_runs: RUN_STATUSES.reduce((sum, s) => sum + c[s], 0),
    counts: c,
    search: search ?? null,
  };
}

export function getSweep(db: Db, id: string): SweepWithCounts | undefined {
  const sweep = db.select().from(sweeps).where(eq(sweeps.id, id)).get();
  if (!sweep) return undefined;
  return withCounts(sweep, countsBySweep(db, id).get(id), searchesBySweep(db, id).get(id));
}

/** All sweeps, oldest first, each with its run counts by status. */
export function listSweeps(db: Db): SweepWithCounts[] {
  const all = db.select().from(sweeps).orderBy(asc(sweeps.created_at), sql`${sweeps}.rowid`).all();
  const counts = countsBySweep(db);
  const searches = searchesBySweep(db);
  return all.map((s) => withCounts(s, counts.get(s.id), searches.get(s.id)));
}
