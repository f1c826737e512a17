import { type Db, listEarlyStops, programRunHistories } from '@sweeplab/db';
import { programSweepMetric, type SweepConfig } from '@sweeplab/shared';
import { earlyTerminateView } from './sweep-controller/search-report.ts';

/**
 * GET /v1/sweeps/:id's `search` and `early_terminate` for a program sweep (issue #21): judged on what
 * its programs logged (run_metrics), its iterations counted as the times the metric was logged.
 */
export function describeProgramSearch(db: Db, sweepId: string, config: SweepConfig) {
  const metric = programSweepMetric(config);
  const runs = metric ? programRunHistories(db, sweepId, metric.name) : [];
  let best: { run_id: string; value: number; params: Record<string, unknown> } | null = null;
  for (const run of runs) {
    if (!metric || run.history.length === 0) continue;
    const value = metric.goal === 'maximize' ? Math.max(...run.history) : Math.min(...run.history);
    if (!best || (metric.goal === 'maximize' ? value > best.value : value < best.value)) {
      best = { run_id: run.id, value, params: run.params };
    }
  }
  const stops = listEarlyStops(db, sweepId);
  return {
    search: metric && {
      method: config.method,
      metric,
      status: null,
      reason: null,
      runs_proposed: runs.length,
      run_cap: config.run_cap ?? null,
      max_concurrent: config.max_concurrent ?? null,
      observations: null,
      best_run: best,
      runs_stopped_early: stops.length,
    },
    early_terminate: earlyTerminateView(
      config,
      stops,
      Math.max(0, ...runs.map((r) => r.history.length)),
      runs,
      metric?.goal ?? 'maximize',
    ),
  };
}
