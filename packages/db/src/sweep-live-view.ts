import { bestArtifactOfSweep } from './artifacts.ts';
import { listEarlyStops } from './early-stops.ts';
import type { Db } from './open-database.ts';
import { MAX_METRICS_LIMIT, queryMetrics } from './query-metrics.ts';
import { listRuns } from './read-runs.ts';
import { getSweep } from './read-sweeps.ts';
import { runSummaries } from './run-summaries.ts';

/** Above this many epoch rows the live view sends counts only; the report draws the mean curves. */
export const LIVE_CURVE_ROW_LIMIT = 50_000;

interface Curve {
  epoch: number[];
  train_loss: number[];
  val_loss: number[];
  val_acc: number[];
}

/**
 * What the sweep page polls: the sweep with counts, one row per run with its latest and best epoch,
 * and each run's curve as column arrays (a quarter of the bytes of /v1/metrics rows).
 */
export function sweepLiveView(db: Db, sweepId: string) {
  // One read transaction, so counts, rows and curves describe the same instant.
  return db.$client.transaction(() => {
    const sweep = getSweep(db, sweepId);
    if (!sweep) return undefined;
    const summaries = new Map(runSummaries(db, { sweepId }).map((s) => [s.run_id, s]));
    const stops = new Map(listEarlyStops(db, sweepId).map((s) => [s.run_id, s]));
    const runs = listRuns(db, { sweepId }).map((r) => {
      const s = summaries.get(r.id);
      return {
        id: r.id,
        model: r.model,
        dataset: r.dataset,
        lr: r.lr,
        seed: r.seed,
        epochs: r.epochs,
        batch_size: r.batch_size,
        momentum: r.momentum,
        status: r.status,
        attempt: r.attempt,
        worker: r.worker,
        backend: r.backend,
        error: r.error,
        queued_at: r.queued_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
        epochs_done: s?.epochs_done ?? 0,
        final_epoch: s?.final_epoch ?? null,
        final_val_acc: s?.final_val_acc ?? null,
        final_train_loss: s?.final_train_loss ?? null,
        best_val_acc: s?.best_val_acc ?? null,
        best_epoch: s?.best_epoch ?? null,
        /** For a `stopped` run: the band, value and threshold hyperband judged it by. */
        early_stop: stops.get(r.id) ?? null,
      };
    });
    let curves: Record<string, Curve> | null = {};
    let curvesOmitted: string | null = null;
    for (let offset = 0; curves !== null; offset += MAX_METRICS_LIMIT) {
      const page = queryMetrics(db, { sweepId, limit: MAX_METRICS_LIMIT, offset });
      if (page.total > LIVE_CURVE_ROW_LIMIT) {
        curves = null;
        curvesOmitted = `${page.total} epoch rows is more than the live view draws (${LIVE_CURVE_ROW_LIMIT}); the report has the mean curves`;
        break;
      }
      for (const m of page.rows) {
        let c = curves[m.run_id];
        if (!c) {
          c = { epoch: [], train_loss: [], val_loss: [], val_acc: [] };
          curves[m.run_id] = c;
        }
        c.epoch.push(m.epoch);
        c.train_loss.push(m.train_loss);
        c.val_loss.push(m.val_loss);
        c.val_acc.push(m.val_acc);
      }
      if (page.rows.length < MAX_METRICS_LIMIT) break;
    }
    // The sweep's best kept weights, so the page links them without a second request.
    const best = bestArtifactOfSweep(db, sweepId, sweep.metric_goal ?? 'maximize');
    const bestWeights = best
      ? {
          run_id: best.run_id,
          kind: best.kind,
          epoch: best.epoch,
          metric_name: best.metric_name,
          metric_value: best.metric_value,
        }
      : null;
    return { sweep, runs, curves, curves_omitted: curvesOmitted, best_weights: bestWeights };
  })();
}
