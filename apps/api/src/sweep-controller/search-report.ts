import {
  bestRun,
  type Db,
  type EarlyStop,
  getSweep,
  getSweepSearch,
  listEarlyStops,
  maxEpochs,
  type RunHistory,
  sweepRunHistories,
} from '@sweeplab/db';
import { hyperbandBands, isProgramSweep, SweepConfig, sweepMetric } from '@sweeplab/shared';
import { describeProgramSearch } from '../program-search-report.ts';
import { type RungRow, rungTable } from './early-stop-rules.ts';
import { searchPlan } from './search-plan.ts';
import type { SearchSpace } from './search-space.ts';
import { observationsOf } from './sweep-controller.ts';

/**
 * What GET /v1/sweeps/:id says about a sweep's search: for incremental sweeps the proposals and
 * observations so far and the best run; for sweeps with early_terminate the rung table and every run
 * stopped early: by which rule, at which band or rung, its value, the threshold and the runs compared.
 */
export function describeSearch(db: Db, sweepId: string) {
  const sweep = getSweep(db, sweepId);
  const parsed = sweep ? SweepConfig.safeParse(sweep.config) : null;
  if (!parsed?.success) return { search: null, early_terminate: null };
  const config = parsed.data;
  if (isProgramSweep(config)) return describeProgramSearch(db, sweepId, config);
  // Resolved: a W&B alias (validation_loss) reads as ours, and a missing goal follows the metric.
  const resolved = sweepMetric(config);
  const metric = resolved?.name ?? 'val_acc';
  const goal = resolved?.goal ?? 'maximize';
  const stops = listEarlyStops(db, sweepId);
  const state = getSweepSearch(db, sweepId);
  // Histories (every epoch row) only for searches that observe them and early_terminate's rung table;
  // others get the best run by SQL, so GET /v1/sweeps/:id stays cheap for a 10,000-run grid.
  const runs = state || config.early_terminate ? sweepRunHistories(db, sweepId, metric) : null;
  let best: { run_id: string; value: number; params: Record<string, unknown> } | null = null;
  if (runs) {
    for (const run of runs) {
      const h = run.history.filter(Number.isFinite);
      if (h.length === 0) continue;
      const value = goal === 'maximize' ? Math.max(...h) : Math.min(...h);
      if (!best || (goal === 'maximize' ? value > best.value : value < best.value)) {
        best = { run_id: run.id, value, params: run.params };
      }
    }
  } else {
    best = bestRun(db, sweepId, metric, goal);
  }
  const space = searchSpaceOrEmpty(config);
  return {
    search: {
      method: config.method,
      metric: { name: metric, goal },
      /** null for a sweep whose runs were all created when it was submitted. */
      status: state?.status ?? null,
      /** Why the search ended, unless it reached its run_cap; null while active or for a cap. */
      reason: state?.reason ?? null,
      runs_proposed: state?.runs_proposed ?? sweep?.total_runs ?? 0,
      run_cap: config.run_cap ?? null,
      max_concurrent: config.max_concurrent ?? null,
      /** null for a sweep that does not search (grid, random with run_cap). */
      observations: runs ? observationsOf({ goal, space }, runs).length : null,
      best_run: best,
      runs_stopped_early: stops.length,
    },
    early_terminate: earlyTerminateView(config, stops, maxEpochs(db, sweepId), runs ?? [], goal),
  };
}

/**
 * The sweep's early_terminate rule, hyperband's bands up to the longest run so far, the rung table
 * (per band, rung or epoch: reached, stopped, kept, threshold now) and every run it stopped.
 */
export function earlyTerminateView(
  config: SweepConfig,
  stops: readonly EarlyStop[],
  longest: number,
  runs: readonly RunHistory[],
  goal: 'maximize' | 'minimize',
) {
  const rule = config.early_terminate;
  if (!rule) return null;
  return {
    ...rule,
    ...(rule.type === 'hyperband' ? { bands: hyperbandBands(rule).filter((b) => b <= longest) } : {}),
    rung_table: rungTable(rule, runs, stops, goal, config.sampler_seed ?? 0),
    stopped: stops.map((s) => ({
      run_id: s.run_id,
      rule: s.rule,
      band: s.band,
      bracket: s.bracket,
      epoch: s.epoch,
      value: s.value,
      threshold: s.threshold,
      compared_run_ids: s.compared_run_ids,
      latency_ms: s.latency_ms,
    })),
  };
}

/**
 * Bayes' space only for bayes (searchPlan). A stored config that no longer resolves (the controller
 * stopped its search and recorded why) counts every run as one point rather than failing the read.
 */
function searchSpaceOrEmpty(config: SweepConfig): SearchSpace {
  try {
    return searchPlan(config).space;
  } catch {
    return { dims: [], constants: {} };
  }
}

/** The sweep's early_terminate rule and rung table, for the report and the dashboard; null without one. */
export function earlyTerminationOf(db: Db, sweepId: string): { rule: string; rungs: RungRow[] } | null {
  const sweep = getSweep(db, sweepId);
  const parsed = sweep ? SweepConfig.safeParse(sweep.config) : null;
  const rule = parsed?.success ? parsed.data.early_terminate : undefined;
  if (!parsed?.success || !rule) return null;
  const resolved = sweepMetric(parsed.data);
  const metric = resolved?.name ?? 'val_acc';
  const goal = resolved?.goal ?? 'maximize';
  const runs = sweepRunHistories(db, sweepId, metric);
  return {
    rule: rule.type,
    rungs: rungTable(rule, runs, listEarlyStops(db, sweepId), goal, parsed.data.sampler_seed ?? 0),
  };
}
