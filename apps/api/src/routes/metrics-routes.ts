import { metricsToCsv, queryMetrics } from '@sweeplab/db';
import {
  DatasetName,
  LrScheduleName,
  MAX_DEPTH,
  ModelName,
  OptimizerName,
  RunStatus,
} from '@sweeplab/shared';
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
    optimizer: OptimizerName.optional(),
    lr_schedule: LrScheduleName.optional(),
    nesterov: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
    weight_decay: z.coerce.number({ message: 'must be a number' }).finite().min(0).optional(),
    momentum: z.coerce.number({ message: 'must be a number' }).finite().min(0).optional(),
    warmup_epochs: z.coerce
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(0)
      .optional(),
    batch_size: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1).optional(),
    depth: z.coerce
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(1)
      .max(MAX_DEPTH)
      .optional(),
    format: z.enum(['json', 'csv']).default('json'),
    limit: z.coerce
      .number({ message: 'must be a number' })
      .int('must be an integer')
      .min(1)
      .max(100_000)
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
          ...(q.optimizer ? { optimizer: q.optimizer } : {}),
          ...(q.lr_schedule ? { lr_schedule: q.lr_schedule } : {}),
          ...(q.nesterov ? { nesterov: q.nesterov === 'true' } : {}),
          ...(q.weight_decay !== undefined ? { weight_decay: q.weight_decay } : {}),
          ...(q.momentum !== undefined ? { momentum: q.momentum } : {}),
          ...(q.warmup_epochs !== undefined ? { warmup_epochs: q.warmup_epochs } : {}),
          ...(q.batch_size !== undefined ? { batch_size: q.batch_size } : {}),
          ...(q.depth !== undefined ? { depth: q.depth } : {}),
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
