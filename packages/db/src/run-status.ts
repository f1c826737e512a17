import {
  attemptAfter,
  canTransition,
  isTerminal,
  type RunStatus,
  statusesThatCanBecome,
} from '@sweeplab/shared';
import type { Db } from './open-database.ts';
import { isoTimestamp } from './timestamps.ts';

export interface SetRunStatusOptions {
  /**
   * For `running`: the attempt that started (raises runs.attempt). For `queued` (a retry): the attempt
   * the retry will run as; it must be higher than the current one, which fences off the failed attempt.
   */
  attempt?: number;
  error?: string;
  /** Milliseconds since the epoch; defaults to now. */
  at?: number;
}

/**
 * Moves a run to `to` if the state machine (RUN_TRANSITIONS) allows it; returns whether it did. Throws
 * when the run does not exist. The update is a compare-and-set on (status, attempt), so a concurrent
 * change wins cleanly.
 */
export function setRunStatus(
  db: Db,
  runId: string,
  to: RunStatus,
  options: SetRunStatusOptions = {},
): boolean {
  const client = db.$client;
  const current = client.prepare('SELECT status, attempt FROM runs WHERE id = ?').get(runId) as
    | { status: RunStatus; attempt: number }
    | undefined;
  if (!current) throw new Error(`run ${runId} not found`);
  if (!canTransition(current.status, to)) return false;
  const at = isoTimestamp(options.at);
  let attempt = current.attempt;
  if (to === 'queued' || to === 'running') {
    // A retry (→queued) and a takeover (running→running) must name the attempt that fences off the one before.
    if (options.attempt === undefined) {
      if (to === 'queued' || current.status === 'running') return false;
    } else {
      const next = attemptAfter(current, to, options.attempt, to === 'queued');
      if (next === null) return false;
      attempt = next;
    }
  }
  const result = client
    .prepare(
      `UPDATE runs SET status = @to, attempt = @attempt, error = coalesce(@error, error),
         started_at = CASE WHEN @to = 'running' THEN @at ELSE started_at END,
         finished_at = CASE WHEN @terminal THEN @at ELSE finished_at END
       WHERE id = @id AND status = @from AND attempt = @fromAttempt`,
    )
    .run({
      id: runId,
      to,
      attempt,
      error: options.error ?? null,
      at,
      terminal: isTerminal(to) ? 1 : 0,
      from: current.status,
      fromAttempt: current.attempt,
    });
  return result.changes === 1;
}

/** Cancels a queued or running run; false when it had already finished. */
export function markCancelled(db: Db, runId: string, at?: number): boolean {
  return setRunStatus(db, runId, 'cancelled', at === undefined ? {} : { at });
}

/** Cancels every unfinished run of a sweep and returns the ids that changed. */
export function cancelSweep(db: Db, sweepId: string, at?: number): string[] {
  const client = db.$client;
  if (!client.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(sweepId)) {
    throw new Error(`sweep ${sweepId} not found`);
  }
  const cancellable = statusesThatCanBecome('cancelled');
  const rows = client
    .prepare(
      `UPDATE runs SET status = 'cancelled', finished_at = ?
       WHERE sweep_id = ? AND status IN (${cancellable.map(() => '?').join(', ')}) RETURNING id`,
    )
    .all(isoTimestamp(at), sweepId, ...cancellable) as { id: string }[];
  return rows.map((r) => r.id).sort();
}
