import { createRun, getRun, listRuns, markCancelled } from '@sweeplab/db';
import { RunStatus, runParamsSchema } from '@sweeplab/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';
import { ApiError } from '../errors.ts';
import { newId } from '../ids.ts';
import { RunRecord, RunWithMetrics } from '../response-schemas.ts';

export const RunIdParams = z
  .object({ id: z.string().regex(/^run_[0-9a-z]{18}$/, 'must be a run id like run_…') })
  .strict();

export function runRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  const RunBody = runParamsSchema({ maxEpochs: ctx.config.MAX_EPOCHS });
  return async (app) => {
    app.post(
      '/v1/runs',
      {
        schema: {
          tags: ['runs'],
          summary: 'Queue one training run',
          body: RunBody,
          response: { 201: RunRecord },
        },
      },
      async (request, reply) => {
        const id = newId('run');
        // The row comes first: if Redis is unreachable now, reconciliation enqueues the run later.
        const run = createRun(ctx.db, { id, params: request.body });
        await ctx.queue.enqueue([{ run_id: id, sweep_id: null, params: request.body }]);
        ctx.logger.info({ runId: id, model: run.model }, 'run queued');
        return reply.status(201).send(run);
      },
    );

    app.get(
      '/v1/runs',
      {
        schema: {
          tags: ['runs'],
          summary: 'List runs',
          querystring: z
            .object({ sweep_id: z.string().max(64).optional(), status: RunStatus.optional() })
            .strict(),
          response: { 200: z.object({ runs: z.array(RunRecord) }) },
        },
      },
      async (request) => {
        const { sweep_id, status } = request.query;
        return {
          runs: listRuns(ctx.db, {
            ...(sweep_id ? { sweepId: sweep_id } : {}),
            ...(status ? { status } : {}),
          }),
        };
      },
    );

    app.get(
      '/v1/runs/:id',
      {
        schema: {
          tags: ['runs'],
          summary: 'A run with its parameters, status, timings and epochs',
          params: RunIdParams,
          response: { 200: RunWithMetrics },
        },
      },
      async (request) => {
        const run = getRun(ctx.db, request.params.id);
        if (!run) throw new ApiError(404, 'not_found', `run ${request.params.id} not found`);
        return run;
      },
    );

    app.delete(
      '/v1/runs/:id',
      {
        schema: {
          operationId: 'cancelRun',
          tags: ['runs'],
          summary:
            'Cancel a run: a queued run never starts; a running one stops within 2 s and keeps its epochs',
          params: RunIdParams,
          response: { 200: RunWithMetrics },
        },
      },
      async (request) => {
        const { id } = request.params;
        const run = getRun(ctx.db, id);
        if (!run) throw new ApiError(404, 'not_found', `run ${id} not found`);
        if (!markCancelled(ctx.db, id)) {
          throw new ApiError(409, 'conflict', `run ${id} is already ${run.status} and cannot be cancelled`);
        }
        await ctx.queue.cancel([id]);
        ctx.logger.info({ runId: id, sweepId: run.sweep_id }, 'run cancelled');
        return getRun(ctx.db, id);
      },
    );
  };
}
