import type { RunStatus } from '@sweeplab/shared';
import type { RunHistory } from './early-stops.ts';
import type { Db } from './open-database.ts';
import type { RunMetricRow } from './schema.ts';

/**
 * Every run of a program sweep with the values its program logged for `key`, in step order: what the
 * hyperband rule reads (W&B counts a run's iterations as the number of times the metric was logged).
 * A program has no planned epoch count, so no run is ever taken to be at its last iteration.
 */
export function programRunHistories(db: Db, sweepId: string, key: string): RunHistory[] {
  const rows = db.$client
    .prepare(
      `SELECT r.id, r.status, r.program_params, rm.value AS metric_value, rm.rowid AS metric_arrival
       FROM runs r LEFT JOIN run_metrics rm ON rm.run_id = r.id AND rm.key = ?
       WHERE r.sweep_id = ? ORDER BY r.queued_at, r.id, rm.step`,
    )
    .all(key, sweepId) as {
    id: string;
    status: RunStatus;
    program_params: string | null;
    metric_value: number | null;
    metric_arrival: number | null;
  }[];
  const byId = new Map<string, RunHistory>();
  for (const row of rows) {
    let run = byId.get(row.id);
    if (!run) {
      const params =
        row.program_params === null ? {} : (JSON.parse(row.program_params) as Record<string, unknown>);
      run = {
        id: row.id,
        status: row.status,
        epochs: Number.POSITIVE_INFINITY,
        params,
        history: [],
        arrivals: [],
      };
      byId.set(row.id, run);
    }
    if (row.metric_value !== null) {
      run.history.push(row.metric_value);
      run.arrivals.push(row.metric_arrival ?? 0);
    }
  }
  return [...byId.values()];
}

/** What a run's program logged, by step then key. */
export function listRunMetrics(db: Db, runId: string): Omit<RunMetricRow, 'run_id'>[] {
  return db.$client
    .prepare(
      'SELECT key, step, attempt, value, recorded_at FROM run_metrics WHERE run_id = ? ORDER BY step, key',
    )
    .all(runId) as Omit<RunMetricRow, 'run_id'>[];
}

export interface ProgramMetricsFilter {
  sweepId?: string | undefined;
  runId?: string | undefined;
  key?: string | undefined;
  limit: number;
  offset: number;
}

/** Columns of a program-metrics row, in order: the CSV header. */
export const PROGRAM_METRICS_COLUMNS = [
  'run_id',
  'sweep_id',
  'program',
  'step',
  'key',
  'value',
  'attempt',
] as const;
export type ProgramMetricsRow = {
  run_id: string;
  sweep_id: string | null;
  program: string;
  step: number;
  key: string;
  value: number;
  attempt: number;
};

/** Every value programs logged (long format: one row per run, step and key), filtered and paginated. */
export function queryProgramMetrics(db: Db, filter: ProgramMetricsFilter): ProgramMetricsRow[] {
  const conditions: [string, string | undefined][] = [
    ['r.sweep_id = ?', filter.sweepId],
    ['rm.run_id = ?', filter.runId],
    ['rm.key = ?', filter.key],
  ];
  const chosen = conditions.filter((c): c is [string, string] => c[1] !== undefined);
  const where = ['r.program IS NOT NULL', ...chosen.map(([sql]) => sql)];
  const args = chosen.map(([, value]) => value);
  return db.$client
    .prepare(
      `SELECT rm.run_id, r.sweep_id, r.program, rm.step, rm.key, rm.value, rm.attempt
       FROM run_metrics rm JOIN runs r ON r.id = rm.run_id
       WHERE ${where.join(' AND ')}
       ORDER BY r.queued_at, rm.run_id, rm.step, rm.key LIMIT ? OFFSET ?`,
    )
    .all(...args, filter.limit, filter.offset) as ProgramMetricsRow[];
}
