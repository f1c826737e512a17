import { cancelSweep, createSweep, getSweep, listRuns, listSweeps } from '@sweeplab/db';
import { defaultSweepName, SweepConfig, sweepMetric, sweepWarnings } from '@sweeplab/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import { expandSweep } from '../sweep-expansion.ts';

export const SweepIdParams = z
  .object({ id: z.string().regex(/^swp_[0-9a-z]{18}$/, 'must be a sweep id like swp_…') })
  .strict();

export function sweepRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const limits = { maxEpochs: ctx.config.MAX_EPOCHS, maxRunsPerSweep: ctx.config.MAX_RUNS_PER_SWEEP };
  return async (app) => {
    app.post(
      '/v1/sweeps',
      {
        schema: {
          tags: ['sweeps'],
          summary: 'Submit a W&B-compatible sweep (JSON, or YAML with Content-Type: application/yaml)',
          body: SweepConfig,
        },
      },
      async (request, reply) => {
        const config = request.body;
        const params = expandSweep(config, limits);
        const warnings = sweepWarnings(config);
        const sweepId = newId('swp');
        const { sweep, runs } = createSweep(ctx.db, {
          id: sweepId,
          name: config.name ?? defaultSweepName(config),
          method: config.method === 'random' ? 'random' : 'grid',
          // As submitted (W&B names); the runs carry ours.
          config,
          metric: sweepMetric(config),
          runs: params.map((p) => ({ id: newId('run'), params: p })),
        });
        await ctx.queue.enqueue(
          runs.map((r, i) => ({ run_id: r.id, sweep_id: sweepId, params: params[i]! })),
        );
        ctx.logger.info({ sweepId, runs: runs.length, method: config.method, warnings }, 'sweep queued');
        return reply.status(201).send({
          ...sweep,
          warnings,
          runs: runs.map((r, i) => ({ id: r.id, status: r.status, params: params[i] })),
        });
      },
    );

    app.get(
      '/v1/sweeps',
      { schema: { tags: ['sweeps'], summary: 'List sweeps with run counts by status' } },
      async () => ({
        sweeps: listSweeps(ctx.db),
      }),
    );

    app.get(
      '/v1/sweeps/:id',
      {
        schema: {
          tags: ['sweeps'],
          summary: 'A sweep: config, counts by status, runs',
          params: SweepIdParams,
        },
      },
      async (request) => {
        const sweep = getSweep(ctx.db, request.params.id);
        if (!sweep) throw new ApiError(404, 'not_found', `sweep ${request.params.id} not found`);
        return { ...sweep, runs: listRuns(ctx.db, { sweepId: sweep.id }) };
      },
    );

    app.delete(
      '/v1/sweeps/:id',
      {
        schema: {
          tags: ['sweeps'],
          summary: 'Cancel every unfinished run of a sweep',
          params: SweepIdParams,
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!getSweep(ctx.db, id)) throw new ApiError(404, 'not_found', `sweep ${id} not found`);
        const cancelled = cancelSweep(ctx.db, id);
        await ctx.queue.cancel(cancelled);
        ctx.logger.info({ sweepId: id, cancelled: cancelled.length }, 'sweep cancelled');
        return { id, cancelled };
      },
    );
  };
}
