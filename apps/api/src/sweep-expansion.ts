import {
  createPrng,
  gridValueCount,
  gridValues,
  type ParameterValue,
  type RunParams,
  runParamsSchema,
  type SweepConfig,
  sampleParameters,
} from '@sweeplab/shared';
import { validationError } from './errors.ts';
import { builtInRunParams, resolveBuiltInRunSpecs } from './sweep-run-parameters.ts';

export interface ExpansionLimits {
  maxEpochs: number;
  maxRunsPerSweep: number;
}

/**
 * Expands a W&B-style sweep into the parameters of each run: the cartesian product for `grid`, or
 * `run_cap` independent samples for `random`, from the sweep's built-in run specs (W&B names mapped,
 * reference defaults filled in: sweep-run-parameters.ts, which also validates every run); an expansion
 * past MAX_RUNS_PER_SWEEP is refused before anything is built.
 */
export function expandSweep(config: SweepConfig, limits: ExpansionLimits): RunParams[] {
  const schema = runParamsSchema({ maxEpochs: limits.maxEpochs });
  const resolved = resolveBuiltInRunSpecs(config.parameters);
  const specs = Object.entries(resolved.specs);
  let combos: Record<string, ParameterValue>[];

  if (config.method === 'grid') {
    let total = 1;
    for (const [, spec] of specs) total *= gridValueCount(spec) ?? 1;
    if (total > limits.maxRunsPerSweep) {
      throw validationError([
        {
          field: 'body.parameters',
          message: `the grid expands to ${total} runs, more than MAX_RUNS_PER_SWEEP (${limits.maxRunsPerSweep})`,
        },
      ]);
    }
    const cap = Math.min(limits.maxRunsPerSweep, config.run_cap ?? Number.POSITIVE_INFINITY);
    combos = [{}];
    for (const [name, spec] of specs) {
      const values = gridValues(spec);
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
    }
    combos = combos.slice(0, cap);
  } else {
    const runCap = config.run_cap ?? 0;
    if (runCap > limits.maxRunsPerSweep) {
      throw validationError([
        { field: 'body.run_cap', message: `must be at most MAX_RUNS_PER_SWEEP (${limits.maxRunsPerSweep})` },
      ]);
    }
    // Seeded: a random sweep with a sampler_seed expands the same way every time.
    const prng = createPrng(config.sampler_seed ?? 0, 'sweep-sampler');
    const rand = () => prng.next();
    combos = Array.from({ length: runCap }, () => sampleParameters(resolved.specs, rand));
  }
  return builtInRunParams(resolved, combos, schema);
}
