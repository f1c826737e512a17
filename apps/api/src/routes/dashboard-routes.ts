import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  type Db,
  getSweep,
  listEarlyStops,
  listRuns,
  MAX_METRICS_LIMIT,
  queryMetrics,
  runSummaries,
} from '@sweeplab/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors.ts';
import { SweepIdParams } from './sweep-routes.ts';

const DASHBOARD_DIR = new URL('../dashboard/', import.meta.url);

/** URL → file under src/dashboard: a fixed list, so no request path ever reaches the file system. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/charts.js': { file: 'charts.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/dom.js': { file: 'dom.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

// Same-origin only: the page renders user strings (sweep names, errors) as text, and this makes an
// escaping mistake inert instead of exploitable.
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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
    return { sweep, runs, curves, curves_omitted: curvesOmitted };
  })();
}

/** The live dashboard at `/` (static files, hidden from the OpenAPI doc) and the JSON it polls. */
export function dashboardRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    for (const [url, asset] of Object.entries(ASSETS)) {
      app.get(url, { schema: { hide: true } }, async (_request, reply) => {
        const body = await readFile(new URL(asset.file, DASHBOARD_DIR), 'utf8');
        reply.header('content-type', asset.type).header('cache-control', 'no-cache');
        if (asset.file === 'index.html') {
          reply.header('content-security-policy', PAGE_CSP).header('x-content-type-options', 'nosniff');
        }
        return reply.send(body);
      });
    }

    app.get(
      '/v1/sweeps/:id/live',
      {
        schema: {
          tags: ['sweeps'],
          summary:
            'What the dashboard polls: a sweep, each run with its latest and best epoch, and per-run curves as column arrays (ETag, so an unchanged sweep costs a 304)',
          params: SweepIdParams,
        },
      },
      async (request, reply) => {
        const view = sweepLiveView(ctx.db, request.params.id);
        if (!view) throw new ApiError(404, 'not_found', `sweep ${request.params.id} not found`);
        const body = JSON.stringify(view);
        const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
        reply.header('etag', etag).header('cache-control', 'no-cache');
        if (request.headers['if-none-match'] === etag) return reply.status(304).send();
        return reply.header('content-type', 'application/json; charset=utf-8').send(body);
      },
    );
  };
}
