import {
  type Db,
  getSweep,
  getSweepSearch,
  listEarlyStops,
  type MetricColumn,
  sweepRunHistories,
} from '@sweeplab/db';
import { hyperbandBands, SweepConfig } from '@sweeplab/shared';
import { buildSearchSpace } from './search-space.ts';
import { observationsOf } from './sweep-controller.ts';

/**
 * What GET /v1/sweeps/:id says about a sweep's search: for incremental sweeps the proposals and
 * observations so far and the best run; for sweeps with early_terminate the bands and every run
 * stopped early, at which band, against which threshold.
 */
export function describeSearch(db: Db, sweepId: string) {
  const sweep = getSweep(db, sweepId);
  const parsed = sweep ? SweepConfig.safeParse(sweep.config) : null;
  if (!parsed?.success) return { search: null, early_terminate: null };
  const config = parsed.data;
  const metric = (config.metric?.name ?? 'val_acc') as MetricColumn;
  const goal = config.metric?.goal ?? 'maximize';
  const runs = sweepRunHistories(db, sweepId, metric);
  const stops = listEarlyStops(db, sweepId);

  let best: { run_id: string; value: number; params: Record<string, unknown> } | null = null;
  for (const run of runs) {
    const h = run.history.filter(Number.isFinite);
    if (h.length === 0) continue;
    const value = goal === 'maximize' ? Math.max(...h) : Math.min(...h);
    if (!best || (goal === 'maximize' ? value > best.value : value < best.value)) {
      best = { run_id: run.id, value, params: run.params };
    }
  }
  const state = getSweepSearch(db, sweepId);
  const plan = { config, metric, goal, space: buildSearchSpace(config.parameters) } as const;
  return {
    search: {
      method: config.method,
      metric: { name: metric, goal },
      /** null for a sweep whose runs were all created when it was submitted. */
      status: state?.status ?? null,
      runs_proposed: state?.runs_proposed ?? runs.length,
      run_cap: config.run_cap ?? null,
      max_concurrent: config.max_concurrent ?? null,
      observations: observationsOf(plan, runs).length,
      best_run: best,
      runs_stopped_early: stops.length,
    },
    early_terminate: config.early_terminate
      ? {
          ...config.early_terminate,
          bands: hyperbandBands(config.early_terminate).filter(
            (b) => b <= Math.max(1, ...runs.map((r) => r.epochs)),
          ),
          stopped: stops.map((s) => ({
            run_id: s.run_id,
            band: s.band,
            epoch: s.epoch,
            value: s.value,
            threshold: s.threshold,
            latency_ms: s.latency_ms,
          })),
        }
      : null,
  };
}
