import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sweepLiveView } from '@sweeplab/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors.ts';
import { SweepIdParams } from './sweep-routes.ts';

const DASHBOARD_DIR = new URL('../dashboard/', import.meta.url);

/** URL → file under src/dashboard: a fixed list, so no request path ever reaches the file system. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
/** The dashboard's ES modules, loaded by the browser as they are (no build step). */
export const DASHBOARD_MODULES = [
  'app.js',
  'router.js',
  'api.js',
  'components.js',
  'dom.js',
  'charts.js',
  'sweeps-page.js',
  'sweep-page.js',
  'run-page.js',
  'workers-page.js',
];
for (const file of DASHBOARD_MODULES) {
  ASSETS[`/dashboard/${file}`] = { file, type: 'text/javascript; charset=utf-8' };
}

// Same-origin only: the page renders user strings (sweep names, errors) as text, and this makes an
// escaping mistake inert instead of exploitable.
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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
