import type { Db } from './open-database.ts';
import type { SweepSearch, SweepSearchStatus } from './schema.ts';
import { isoTimestamp } from './timestamps.ts';

export function createSweepSearch(db: Db, sweepId: string, now = Date.now()): void {
  db.$client
    .prepare(
      `INSERT INTO sweep_searches (sweep_id, status, runs_proposed, updated_at) VALUES (?, 'active', 0, ?)
       ON CONFLICT (sweep_id) DO NOTHING`,
    )
    .run(sweepId, isoTimestamp(now));
}

export function getSweepSearch(db: Db, sweepId: string): SweepSearch | undefined {
  return db.$client.prepare('SELECT * FROM sweep_searches WHERE sweep_id = ?').get(sweepId) as
    | SweepSearch
    | undefined;
}

export function listActiveSweepSearches(db: Db): string[] {
  return (
    db.$client.prepare(`SELECT sweep_id FROM sweep_searches WHERE status = 'active'`).all() as {
      sweep_id: string;
    }[]
  ).map((r) => r.sweep_id);
}

/**
 * Moves an active search to `finished` or `stopped` with why (null only for reaching its run_cap);
 * false when it was no longer active (the first reason stays).
 */
export function endSweepSearch(
  db: Db,
  sweepId: string,
  status: Exclude<SweepSearchStatus, 'active'>,
  reason: string | null,
): boolean {
  return (
    db.$client
      .prepare(
        `UPDATE sweep_searches SET status = ?, reason = ?, updated_at = ? WHERE sweep_id = ? AND status = 'active'`,
      )
      .run(status, reason, isoTimestamp(), sweepId).changes === 1
  );
}

/**
 * Counts a proposal, done in the transaction that inserts the proposed run. A compare-and-set on the
 * count the proposer read: false when another API process proposed meanwhile (the caller rolls back).
 */
export function countProposal(db: Db, sweepId: string, expected: number): boolean {
  return (
    db.$client
      .prepare(
        `UPDATE sweep_searches SET runs_proposed = runs_proposed + 1, updated_at = ?
         WHERE sweep_id = ? AND runs_proposed = ? AND status = 'active'`,
      )
      .run(isoTimestamp(), sweepId, expected).changes === 1
  );
}
