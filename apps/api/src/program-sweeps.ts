import { createSweep } from '@sweeplab/db';
import {
  defaultSweepName,
  isIncrementalSweep,
  programSweepMetric,
  type SweepConfig,
  sweepWarnings,
} from '@sweeplab/shared';
import type { ApiContext } from './api-context.ts';
import { validationError } from './errors.ts';
import { newId } from './ids.ts';
import { expandProgramSweep, PROGRAM_RUN_PLACEHOLDER, programJob } from './program-params.ts';
import type { ExpansionLimits } from './sweep-expansion.ts';
import { listWorkers } from './worker-registry.ts';

/**
 * POST /v1/sweeps for a program sweep: every run is written with the program and its parameters, then
 * queued on the program's queue. A program no live worker serves is accepted with a warning: its jobs
 * wait in its queue until a worker serving it starts.
 */
export async function createProgramSweep(ctx: ApiContext, config: SweepConfig, limits: ExpansionLimits) {
  if (isIncrementalSweep(config)) {
    throw validationError([
      {
        field: 'body.method',
        message: `a program sweep needs run_cap with ${config.method} here (proposals one at a time are for the built-in program only, for now)`,
      },
    ]);
  }
  const program = config.program as string;
  const params = expandProgramSweep(config, limits);
  const warnings = sweepWarnings(config);
  const workers = await listWorkers(ctx.redis, ctx.keys);
  if (!workers.some((w) => w.programs.includes(program))) {
    warnings.push(
      `program: no live worker serves ${program}; its runs wait in its queue until a worker that lists it starts`,
    );
  }
  const metric = programSweepMetric(config);
  const sweepId = newId('swp');
  const { sweep, runs } = createSweep(ctx.db, {
    id: sweepId,
    name: config.name ?? defaultSweepName(config),
    method: config.method,
    config,
    metric,
    runs: params.map((p) => ({
      id: newId('run'),
      params: PROGRAM_RUN_PLACEHOLDER,
      program: { name: program, params: p },
    })),
  });
  await ctx.queue.enqueue(runs.map((r, i) => programJob(config, r.id, sweepId, params[i] ?? {})));
  ctx.logger.info({ sweepId, runs: runs.length, program, warnings }, 'program sweep queued');
  return {
    ...sweep,
    warnings,
    runs: runs.map((r, i) => ({ id: r.id, status: r.status, program, program_params: params[i] })),
  };
}
