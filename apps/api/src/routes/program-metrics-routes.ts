import { csvField, PROGRAM_METRICS_COLUMNS, queryProgramMetrics } from '@sweeplab/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';

const ProgramMetricsQuery = z
  .object({
    sweep_id: z.string().max(64).optional(),
    run_id: z.string().max(64).optional(),
    key: z.string().max(200).optional(),
    format: z.enum(['json', 'csv']).default('json'),
    limit: z.coerce
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(1)
      .max(100_000)
      .default(10_000),
    offset: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0).default(0),
  })
  .strict();

const ProgramMetricsRow = z
  .object({
    run_id: z.string(),
    sweep_id: z.string().nullable(),
    program: z.string(),
    step: z.number().int(),
    key: z.string(),
    value: z.number(),
    attempt: z.number().int(),
  })
  .meta({ id: 'ProgramMetricsRow', description: 'One value a program logged: run, step and key' });

/** What programs logged (issue #21): every key of every `log()` call, per run and step. */
export function programMetricsRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/program-metrics',
      {
        schema: {
          tags: ['metrics'],
          summary:
            "Every value a program logged, one row per run × step × key (JSON or CSV); the sweep metric's rows are the run's iterations",
          querystring: ProgramMetricsQuery,
          response: {
            200: z.union([
              z.object({ rows: z.array(ProgramMetricsRow) }),
              z.string().describe('format=csv: the rows as CSV'),
            ]),
          },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const rows = queryProgramMetrics(ctx.db, {
          sweepId: q.sweep_id,
          runId: q.run_id,
          key: q.key,
          limit: q.limit,
          offset: q.offset,
        });
        if (q.format === 'json') return { rows };
        const lines = [PROGRAM_METRICS_COLUMNS.join(',')];
        for (const row of rows) lines.push(PROGRAM_METRICS_COLUMNS.map((c) => csvField(row[c])).join(','));
        return reply.type('text/csv; charset=utf-8').send(`${lines.join('\r\n')}\r\n`);
      },
    );
  };
}
