import { cancelSweep, createSweep, deleteArtifacts, getSweep, listRuns, listSweeps } from '@sweeplab/db';
import {
  defaultSweepName,
  isIncrementalSweep,
  isProgramSweep,
  runParamsSchema,
  SweepConfig,
  sweepMetric,
  sweepWarnings,
} from '@sweeplab/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../api-context.ts';
import { ApiError, validationError } from '../errors.ts';
import { newId } from '../ids.ts';
import { createProgramSweep } from '../program-sweeps.ts';
import { CreatedSweep, SweepCancellation, SweepDetail, SweepRecord } from '../response-schemas.ts';
import { checkFirstProposals, searchPlan } from '../sweep-controller/search-plan.ts';
import { describeSearch } from '../sweep-controller/search-report.ts';
import { expandSweep } from '../sweep-expansion.ts';

/** Proposals of an incremental sweep checked at creation (as many as a grid of 20 would validate). */
const CHECKED_PROPOSALS = 20;

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
          response: { 201: CreatedSweep },
        },
      },
      async (request, reply) => {
        const config = request.body;
        if (isProgramSweep(config))
          return reply.status(201).send(await createProgramSweep(ctx, config, limits));
        const incremental = isIncrementalSweep(config);
        if (config.run_cap !== undefined && config.run_cap > limits.maxRunsPerSweep) {
          throw validationError([
            {
              field: 'body.run_cap',
              message: `must be at most MAX_RUNS_PER_SWEEP (${limits.maxRunsPerSweep})`,
            },
          ]);
        }
        // An incremental sweep proposes its runs later: its first proposals are made now, exactly as the
        // controller will make them, so a file that will not propose is a 400 naming the parameter.
        if (incremental) {
          const first = Math.min(
            config.run_cap ?? limits.maxRunsPerSweep,
            limits.maxRunsPerSweep,
            CHECKED_PROPOSALS,
          );
          checkFirstProposals(searchPlan(config), runParamsSchema({ maxEpochs: limits.maxEpochs }), first);
        }
        const params = incremental ? [] : expandSweep(config, limits);
        const warnings = sweepWarnings(config);
        const metric = sweepMetric(config);
        const sweepId = newId('swp');
        const { sweep, runs } = createSweep(ctx.db, {
          id: sweepId,
          name: config.name ?? defaultSweepName(config),
          method: config.method,
          // As submitted (W&B names); the runs carry ours.
          config,
          metric,
          runs: params.map((p) => ({ id: newId('run'), params: p })),
        });
        await ctx.queue.enqueue(
          runs.map((r, i) => ({
            run_id: r.id,
            sweep_id: sweepId,
            params: params[i]!,
            ...(metric ? { metric } : {}),
          })),
        );
        if (incremental) await ctx.sweepController.startSearch(sweepId);
        ctx.logger.info({ sweepId, runs: runs.length, method: config.method, warnings }, 'sweep queued');
        const proposed = incremental ? listRuns(ctx.db, { sweepId }) : [];
        return reply.status(201).send({
          ...sweep,
          warnings,
          runs: incremental
            ? proposed.map((r) => ({ id: r.id, status: r.status }))
            : runs.map((r, i) => ({ id: r.id, status: r.status, params: params[i] })),
        });
      },
    );

    app.get(
      '/v1/sweeps',
      {
        schema: {
          tags: ['sweeps'],
          summary: 'List sweeps with run counts by status',
          response: { 200: z.object({ sweeps: z.array(SweepRecord) }) },
        },
      },
      async () => ({
        sweeps: listSweeps(ctx.db),
      }),
    );

    app.get(
      '/v1/sweeps/:id',
      {
        schema: {
          tags: ['sweeps'],
          summary: 'A sweep: config, counts by status, search progress, early stops, runs',
          params: SweepIdParams,
          response: { 200: SweepDetail },
        },
      },
      async (request) => {
        const sweep = getSweep(ctx.db, request.params.id);
        if (!sweep) throw new ApiError(404, 'not_found', `sweep ${request.params.id} not found`);
        return {
          ...sweep,
          ...describeSearch(ctx.db, sweep.id),
          runs: listRuns(ctx.db, { sweepId: sweep.id }),
        };
      },
    );

    app.delete(
      '/v1/sweeps/:id',
      {
        schema: {
          operationId: 'cancelSweep',
          tags: ['sweeps'],
          summary:
            'Stop a sweep: no further proposals, every unfinished run cancelled, its kept weights (artifacts) deleted',
          params: SweepIdParams,
          response: { 200: SweepCancellation },
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!getSweep(ctx.db, id)) throw new ApiError(404, 'not_found', `sweep ${id} not found`);
        ctx.sweepController.stopSearch(id);
        const cancelled = cancelSweep(ctx.db, id);
        await ctx.queue.cancel(cancelled);
        // Cancelled runs take no new artifacts (the ingester refuses them), so none reappear after this.
        const unreferenced = deleteArtifacts(ctx.db, { sweepId: id });
        for (const sha of unreferenced) await ctx.artifacts.removeIfUnreferenced(sha);
        ctx.logger.info(
          { sweepId: id, cancelled: cancelled.length, artifactFilesDeleted: unreferenced.length },
          'sweep cancelled',
        );
        return { id, cancelled, artifact_files_deleted: unreferenced.length };
      },
    );
  };
}
