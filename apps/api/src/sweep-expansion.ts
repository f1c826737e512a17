import {
  createPrng,
  type ParameterSpec,
  type RunParams,
  runParamsSchema,
  type SweepConfig,
} from '@sweeplab/shared';
import { type FieldIssue, validationError, zodIssues } from './errors.ts';

export interface ExpansionLimits {
  maxEpochs: number;
  maxRunsPerSweep: number;
}

type Scalar = string | number | boolean | null;

function choices(spec: ParameterSpec): Scalar[] | null {
  if ('value' in spec) return [spec.value];
  if ('values' in spec) return spec.values;
  return null;
}

function sample(spec: ParameterSpec, rand: () => number): Scalar {
  const options = choices(spec);
  if (options) return options[Math.floor(rand() * options.length)] ?? null;
  if (!('min' in spec)) return null;
  const { min, max } = spec;
  switch (spec.distribution) {
    case 'uniform':
      return min + rand() * (max - min);
    case 'log_uniform_values':
      return Math.exp(Math.log(min) + rand() * (Math.log(max) - Math.log(min)));
    case 'int_uniform':
      return Math.floor(min + rand() * (Math.floor(max) - Math.ceil(min) + 1)) + (Math.ceil(min) - min);
  }
}

/**
 * Expands a W&B-style sweep into the parameters of each run: the cartesian product for `grid`, or
 * `run_cap` independent samples for `random`. Every run's parameters are validated like a single
 * POST /v1/runs body; an expansion past MAX_RUNS_PER_SWEEP is refused before anything is built.
 */
export function expandSweep(config: SweepConfig, limits: ExpansionLimits): RunParams[] {
  const schema = runParamsSchema({ maxEpochs: limits.maxEpochs });
  const names = Object.keys(config.parameters);
  let combos: Record<string, Scalar>[];

  if (config.method === 'grid') {
    let total = 1;
    for (const name of names) total *= choices(config.parameters[name] as ParameterSpec)?.length ?? 1;
    const cap = Math.min(limits.maxRunsPerSweep, config.run_cap ?? Number.POSITIVE_INFINITY);
    if (total > limits.maxRunsPerSweep) {
      throw validationError([
        {
          field: 'body.parameters',
          message: `the grid expands to ${total} runs, more than MAX_RUNS_PER_SWEEP (${limits.maxRunsPerSweep})`,
        },
      ]);
    }
    combos = [{}];
    for (const name of names) {
      const values = choices(config.parameters[name] as ParameterSpec) ?? [];
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
    combos = Array.from({ length: runCap }, () =>
      Object.fromEntries(names.map((name) => [name, sample(config.parameters[name] as ParameterSpec, rand)])),
    );
  }

  const runs: RunParams[] = [];
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const combo of combos) {
    const parsed = schema.safeParse(combo);
    if (!parsed.success) {
      // Report each offending parameter once, under the name the user wrote.
      for (const issue of zodIssues(parsed.error, 'body.parameters')) {
        const key = `${issue.field}|${issue.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          issues.push(issue);
        }
      }
      continue;
    }
    runs.push(parsed.data);
  }
  if (issues.length > 0) throw validationError(issues);
  return runs;
}
