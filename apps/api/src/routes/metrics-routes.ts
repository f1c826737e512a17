import { MAX_METRICS_LIMIT, metricsToCsv, queryMetrics } from '@sweeplab/db';
import {
  DatasetName,
  LrScheduleName,
  MAX_DEPTH,
  ModelName,
  OptimizerName,
  RUN_PARAM_FIELDS,
  type RunParams,
  RunStatus,
} from '@sweeplab/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';
import { MetricsPage } from '../response-schemas.ts';

const number = () => z.coerce.number({ message: 'must be a number' }).finite('must be a finite number');
const integer = () => number().int('must be an integer');

/**
 * One exact-match filter per run parameter; `satisfies` makes a parameter added to RunParams without
 * a filter here a type error, so every parameter stays queryable.
 */
const PARAM_FILTERS = {
  model: ModelName.optional(),
  dataset: DatasetName.optional(),
  lr: number().positive().optional(),
  batch_size: integer().min(1).optional(),
  momentum: number().min(0).optional(),
  seed: integer().min(0).optional(),
  epochs: integer().min(1).optional(),
  train_subset: integer().min(1).optional(),
  val_subset: integer().min(1).optional(),
  optimizer: OptimizerName.optional(),
  nesterov: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
  weight_decay: number().min(0).optional(),
  lr_schedule: LrScheduleName.optional(),
  lr_step_epochs: integer().min(1).optional(),
  lr_gamma: number().positive().optional(),
  warmup_epochs: integer().min(0).optional(),
  depth: integer().min(1).max(MAX_DEPTH).optional(),
} satisfies Record<keyof RunParams, z.ZodType>;

const MetricsQuery = z
  .object({
    sweep_id: z.string().max(64).optional(),
    status: RunStatus.optional(),
    ...PARAM_FILTERS,
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
            'The metrics table: one row per run × epoch with the run parameters (JSON or CSV), paginated; any run parameter filters by exact value',
          querystring: MetricsQuery,
          response: { 200: z.union([MetricsPage, z.string().describe('format=csv: the rows as CSV')]) },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const params = Object.fromEntries(
          RUN_PARAM_FIELDS.filter((f) => q[f] !== undefined).map((f) => [
            f,
            f === 'nesterov' ? q.nesterov === 'true' : q[f],
          ]),
        );
        const { rows, total } = queryMetrics(ctx.db, {
          ...params,
          ...(q.sweep_id ? { sweepId: q.sweep_id } : {}),
          ...(q.status ? { status: q.status } : {}),
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
