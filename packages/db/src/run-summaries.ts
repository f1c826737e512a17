import { RUN_PARAM_FIELDS, type RunStatus, type StoredRunParams } from '@sweeplab/shared';
import type { Db } from './open-database.ts';

/** One line per run: its parameters and what its epochs add up to (null metrics when it has none). */
export type RunSummary = { run_id: string; sweep_id: string | null } & StoredRunParams & RunTotals;

interface RunTotals {
  status: RunStatus;
  attempt: number;
  epochs_done: number;
  best_val_acc: number | null;
  /** First epoch reaching best_val_acc. */
  best_epoch: number | null;
  final_epoch: number | null;
  final_val_acc: number | null;
  final_train_loss: number | null;
  /** Sum of epoch_seconds over the recorded epochs (training time, not wall time between events). */
  total_seconds: number | null;
}

// Correlated subqueries on the (run_id, epoch) primary key: one index probe each, and unlike SQLite's
// bare-column-with-max() trick they define the tie-break (earliest epoch wins).
const SUMMARY_SQL = `
SELECT r.id AS run_id, r.sweep_id, ${RUN_PARAM_FIELDS.map((f) => `r.${f}`).join(', ')}, r.status, r.attempt,
  (SELECT count(*) FROM epoch_metrics m WHERE m.run_id = r.id) AS epochs_done,
  (SELECT max(val_acc) FROM epoch_metrics m WHERE m.run_id = r.id) AS best_val_acc,
  (SELECT epoch FROM epoch_metrics m WHERE m.run_id = r.id ORDER BY val_acc DESC, epoch ASC LIMIT 1)
    AS best_epoch,
  (SELECT max(epoch) FROM epoch_metrics m WHERE m.run_id = r.id) AS final_epoch,
  (SELECT val_acc FROM epoch_metrics m WHERE m.run_id = r.id ORDER BY epoch DESC LIMIT 1) AS final_val_acc,
  (SELECT train_loss FROM epoch_metrics m WHERE m.run_id = r.id ORDER BY epoch DESC LIMIT 1)
    AS final_train_loss,
  (SELECT sum(epoch_seconds) FROM epoch_metrics m WHERE m.run_id = r.id) AS total_seconds
FROM runs r`;

export function runSummaries(db: Db, filter: { sweepId?: string; runId?: string } = {}): RunSummary[] {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (filter.sweepId !== undefined) {
    where.push('r.sweep_id = @sweepId');
    params.sweepId = filter.sweepId;
  }
  if (filter.runId !== undefined) {
    where.push('r.id = @runId');
    params.runId = filter.runId;
  }
  const sqlText = `${SUMMARY_SQL}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY r.queued_at, r.rowid`;
  const rows = db.$client.prepare(sqlText).all(params) as RunSummary[];
  // Raw SQL reads SQLite's 0/1; the row's boolean parameter is a boolean everywhere else.
  return rows.map((r) => ({ ...r, nesterov: Boolean(r.nesterov) }));
}
