import {
  createPrng,
  gridValues,
  type ParameterSpec,
  type ParameterValue,
  type ProgramJobPayload,
  programSweepMetric,
  RunParams,
  type RunParams as RunParamsType,
  type SweepConfig,
  sampleParameters,
} from '@sweeplab/shared';
import { validationError } from './errors.ts';
import type { ExpansionLimits } from './sweep-expansion.ts';

/*
 * The runs of a program sweep (issue #21), kept apart from the built-in expansion: parameters keep the
 * sweep's own names and the values its distributions give, nothing else is checked (the program is
 * the judge of its arguments). Grid and random-with-run_cap expand here; the seeded sampler is the one
 * the built-in expansion uses, so a program sweep with a sampler_seed expands the same way every time.
 */

export type ProgramParams = Record<string, ParameterValue>;

/** What fills a program run's built-in columns: they mean nothing for it (program_params do). */
export const PROGRAM_RUN_PLACEHOLDER: RunParamsType = RunParams.parse({
  model: 'resnet',
  lr: 0.1,
  epochs: 1,
});

export function expandProgramSweep(config: SweepConfig, limits: ExpansionLimits): ProgramParams[] {
  if (config.run_cap !== undefined && config.run_cap > limits.maxRunsPerSweep) {
    throw validationError([
      { field: 'body.run_cap', message: `must be at most MAX_RUNS_PER_SWEEP (${limits.maxRunsPerSweep})` },
    ]);
  }
  const specs = config.parameters as Record<string, ParameterSpec>;
  if (config.method === 'grid') {
    let combos: ProgramParams[] = [{}];
    let total = 1;
    for (const spec of Object.values(specs)) total *= gridValues(spec).length;
    if (total > limits.maxRunsPerSweep) {
      throw validationError([
        {
          field: 'body.parameters',
          message: `the grid expands to ${total} runs, more than MAX_RUNS_PER_SWEEP (${limits.maxRunsPerSweep})`,
        },
      ]);
    }
    for (const [name, spec] of Object.entries(specs)) {
      const values = gridValues(spec);
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
    }
    return combos.slice(0, config.run_cap ?? combos.length);
  }
  const prng = createPrng(config.sampler_seed ?? 0, 'sweep-sampler');
  const rand = () => prng.next();
  return Array.from({ length: config.run_cap ?? 0 }, () => sampleParameters(specs, rand));
}

/**
 * What the sweep controller judges a program sweep by (its hook into the controller): the metric as
 * the program logs it, read from run_metrics; its runs are made when it is submitted, so it proposes
 * nothing. Null when the sweep has no metric (nothing to judge).
 */
export interface ProgramPlan {
  config: SweepConfig;
  goal: 'maximize' | 'minimize';
  programMetric: string;
}

export function programPlan(config: SweepConfig): ProgramPlan | null {
  const metric = programSweepMetric(config);
  return metric ? { config, goal: metric.goal, programMetric: metric.name } : null;
}

/** The job of one program run. */
export function programJob(
  config: SweepConfig,
  runId: string,
  sweepId: string,
  params: ProgramParams,
): Omit<ProgramJobPayload, 'schema_version'> {
  const metric = programSweepMetric(config);
  return {
    run_id: runId,
    sweep_id: sweepId,
    program: config.program as string,
    ...(config.command ? { command: config.command } : {}),
    program_params: params,
    ...(metric ? { metric } : {}),
    ...(config.retries ? { retries: config.retries } : {}),
  };
}
