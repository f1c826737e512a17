import { REPORT_FORMATS, renderReport } from '@sweeplab/report';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors.ts';
import { loadReportInput } from '../load-report-input.ts';
import { SweepIdParams } from './sweep-routes.ts';

const ReportQuery = z.object({ format: z.enum(REPORT_FORMATS).default('json') }).strict();

export function reportRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/sweeps/:id/report',
      {
        schema: {
          tags: ['sweeps'],
          summary:
            'The comparison report of a sweep, computed from the metrics table: JSON, markdown, CSV (checkpoint table) or a printable HTML page',
          params: SweepIdParams,
          querystring: ReportQuery,
          response: {
            200: z
              .unknown()
              .describe('The report: JSON (format=json), or markdown, CSV or HTML text (format=md|csv|html)'),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const input = loadReportInput(ctx.db, id);
        if (!input) throw new ApiError(404, 'not_found', `sweep ${id} not found`);
        const { format } = request.query;
        const { contentType, body } = renderReport(input, format);
        reply.header('content-type', contentType);
        // Numbers move while runs are in progress: never let a cache serve a stale report.
        reply.header('cache-control', 'no-store');
        if (format !== 'json') {
          reply.header('content-disposition', `inline; filename="${id}-report.${format}"`);
        }
        if (format === 'html') {
          // The page is script-free by design; say so to the browser too (sweep names are user input).
          reply.header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
          );
        }
        return reply.send(body);
      },
    );
  };
}
