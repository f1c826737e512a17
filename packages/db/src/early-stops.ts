import { type EarlyTerminateType, METRIC_NAMES, type MetricName, type RunStatus } from '@sweeplab/shared';
import type { Db } from './open-database.ts';
import { setRunStatus } from './run-status.ts';
import type { EarlyStop } from './schema.ts';
import { isoTimestamp } from './timestamps.ts';

export interface RunHistory {
  id: string;
  status: RunStatus;
  epochs: number;
  /** The run's row: its parameters by name (lr, momentum, ...). */
  params: Record<string, unknown>;
  /** The metric per recorded epoch, in epoch order. */
  history: number[];
  /** Commit order of each epoch's row (its rowid; parallel to history): ASHA's arrival order at a rung. */
  arrivals: number[];
}

/** Every run of a sweep with its metric history: what the hyperband rule and bayes observations read. */
export function sweepRunHistories(db: Db, sweepId: string, metric: MetricName): RunHistory[] {
  if (!METRIC_NAMES.includes(metric)) throw new Error(`unknown metric column ${metric}`);
  const rows = db.$client
    .prepare(
      `SELECT r.*, em.${metric} AS metric_value, em.rowid AS metric_arrival
       FROM runs r LEFT JOIN epoch_metrics em ON em.run_id = r.id
       WHERE r.sweep_id = ? ORDER BY r.queued_at, r.id, em.epoch`,
    )
    .all(sweepId) as ({
    id: string;
    status: RunStatus;
    epochs: number;
    metric_value: number | null;
    metric_arrival: number | null;
  } & Record<string, unknown>)[];
  const byId = new Map<string, RunHistory>();
  for (const row of rows) {
    let run = byId.get(row.id);
    if (!run) {
      const { metric_value: _, metric_arrival: __, ...params } = row;
      run = { id: row.id, status: row.status, epochs: row.epochs, params, history: [], arrivals: [] };
      byId.set(row.id, run);
    }
    if (row.metric_value !== null) {
      run.history.push(row.metric_value);
      run.arrivals.push(row.metric_arrival as number);
    }
  }
  return [...byId.values()];
}

export interface EarlyStopInput {
  runId: string;
  sweepId: string;
  rule: EarlyTerminateType;
  /** The band (hyperband), rung (asha) or epoch (median) it was judged at. */
  band: number;
  /** ASHA's bracket. */
  bracket?: number | undefined;
  epoch: number;
  value: number;
  threshold: number;
  /** The runs whose values set the threshold. */
  comparedRunIds: readonly string[];
  /** Milliseconds since the epoch. */
  committedAt: number;
}

/**
 * Moves a running run to `stopped` and records why, in one transaction; false when the run is no
 * longer running (it completed or was cancelled meanwhile).
 */
export function recordEarlyStop(db: Db, input: EarlyStopInput, now = Date.now()): boolean {
  const client = db.$client;
  return client
    .transaction(() => {
      if (!setRunStatus(db, input.runId, 'stopped', { at: now })) return false;
      client
        .prepare(
          `INSERT INTO early_stops (run_id, sweep_id, rule, band, bracket, epoch, value, threshold,
             compared_run_ids, committed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING`,
        )
        .run(
          input.runId,
          input.sweepId,
          input.rule,
          input.band,
          input.bracket ?? null,
          input.epoch,
          input.value,
          input.threshold,
          JSON.stringify(input.comparedRunIds),
          isoTimestamp(input.committedAt),
        );
      return true;
    })
    .immediate();
}

/** Notes when the worker was told to stop (the cancel flag set and broadcast). */
export function recordStopTold(db: Db, runId: string, committedAt: number, toldAt: number): void {
  db.$client
    .prepare('UPDATE early_stops SET told_at = ?, latency_ms = ? WHERE run_id = ?')
    .run(isoTimestamp(toldAt), toldAt - committedAt, runId);
}

export function listEarlyStops(db: Db, sweepId: string): EarlyStop[] {
  const rows = db.$client
    .prepare('SELECT * FROM early_stops WHERE sweep_id = ? ORDER BY committed_at, run_id')
    .all(sweepId) as (Omit<EarlyStop, 'compared_run_ids'> & { compared_run_ids: string | null })[];
  return rows.map((r) => ({
    ...r,
    compared_run_ids: r.compared_run_ids === null ? null : (JSON.parse(r.compared_run_ids) as string[]),
  }));
}

export function sweepsWithRunningRuns(db: Db): string[] {
  return (
    db.$client
      .prepare(`SELECT DISTINCT sweep_id FROM runs WHERE status = 'running' AND sweep_id IS NOT NULL`)
      .all() as { sweep_id: string }[]
  ).map((r) => r.sweep_id);
}

/** The run with the best value of `metric` at any epoch, with its parameters; null before any epoch. */
export function bestRun(
  db: Db,
  sweepId: string,
  metric: MetricName,
  goal: 'maximize' | 'minimize',
): { run_id: string; value: number; params: Record<string, unknown> } | null {
  if (!METRIC_NAMES.includes(metric)) throw new Error(`unknown metric column ${metric}`);
  const row = db.$client
    .prepare(
      `SELECT r.*, em.${metric} AS metric_value FROM epoch_metrics em JOIN runs r ON r.id = em.run_id
       WHERE r.sweep_id = ? ORDER BY em.${metric} ${goal === 'maximize' ? 'DESC' : 'ASC'}, r.queued_at
       LIMIT 1`,
    )
    .get(sweepId) as ({ id: string; metric_value: number } & Record<string, unknown>) | undefined;
  if (!row) return null;
  const { metric_value, ...params } = row;
  return { run_id: row.id, value: metric_value, params };
}

/** The most epochs any run of the sweep is configured for (1 for an empty sweep). */
export function maxEpochs(db: Db, sweepId: string): number {
  const row = db.$client.prepare('SELECT max(epochs) AS n FROM runs WHERE sweep_id = ?').get(sweepId) as {
    n: number | null;
  };
  return row.n ?? 1;
}
