import { MAX_METRICS_LIMIT, metricsToCsv, queryMetrics } from '@sweeplab/db';
import { DatasetName, ModelName, RunStatus } from '@sweeplab/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';

const MetricsQuery = z
  .object({
    sweep_id: z.string().max(64).optional(),
    model: ModelName.optional(),
    dataset: DatasetName.optional(),
    status: RunStatus.optional(),
    lr: z.coerce
      .number({ message: 'must be a number' })
      .finite('must be a finite number')
      .positive()
      .optional(),
    format: z.enum(['json', 'csv']).default('json'),
    limit: z.coerce
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(1)
      .max(MAX_METRICS_LIMIT)
      .default(1000),
    offset: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0).default(0),
  })
  .strict();

export function metricsRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/metrics',
      {
        schema: {
          tags: ['metrics'],
          summary:
            'The metrics table: one row per run × epoch with the run parameters (JSON or CSV), paginated',
          querystring: MetricsQuery,
        },
      },
      async (request, reply) => {
        const q = request.query;
        const { rows, total } = queryMetrics(ctx.db, {
          ...(q.sweep_id ? { sweepId: q.sweep_id } : {}),
          ...(q.model ? { model: q.model } : {}),
          ...(q.dataset ? { dataset: q.dataset } : {}),
          ...(q.status ? { status: q.status } : {}),
          ...(q.lr !== undefined ? { lr: q.lr } : {}),
          limit: q.limit,
          offset: q.offset,
        });
        if (q.format === 'csv') {
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('x-total-count', String(total))
            .send(metricsToCsv(rows));
        }
        return { total, limit: q.limit, offset: q.offset, rows };
      },
    );
  };
}
