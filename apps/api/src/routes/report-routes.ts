import { buildReport, type ReportInput, renderCsv, renderHtml, renderMarkdown } from '@sweeplab/report';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors.ts';
import { loadReportInput } from '../load-report-input.ts';
import { SweepIdParams } from './sweep-routes.ts';

export const REPORT_FORMATS = ['json', 'md', 'csv', 'html'] as const;
export const ReportFormat = z.enum(REPORT_FORMATS);
export type ReportFormat = z.infer<typeof ReportFormat>;

const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** The report in one format, as the bytes the endpoint serves and the CLI prints. */
export function renderReport(
  input: ReportInput,
  format: ReportFormat,
): { contentType: string; body: string } {
  const report = buildReport(input);
  const body =
    format === 'md'
      ? renderMarkdown(report)
      : format === 'csv'
        ? renderCsv(report)
        : format === 'html'
          ? renderHtml(report)
          : `${JSON.stringify(report, null, 2)}\n`;
  return { contentType: CONTENT_TYPES[format], body };
}

const ReportQuery = z.object({ format: ReportFormat.default('json') }).strict();

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
