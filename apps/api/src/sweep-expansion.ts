import {
  createPrng,
  describeSpec,
  gridValueCount,
  gridValues,
  type ParameterSpec,
  type ParameterValue,
  type RunParams,
  runParameterSpecs,
  runParamsSchema,
  type SweepConfig,
  type SweepParameterName,
  sampleParameters,
} from '@sweeplab/shared';
import { type FieldIssue, validationError, zodIssues } from './errors.ts';

export interface ExpansionLimits {
  maxEpochs: number;
  maxRunsPerSweep: number;
}

/** A file that does not sweep `model` trains the reference network (sweepWarnings says so). */
const DEFAULT_MODEL: ParameterSpec = { distribution: 'constant', value: 'resnet' };

/**
 * Expands a W&B-style sweep into the parameters of each run: the cartesian product for `grid`, or
 * `run_cap` independent samples for `random`. W&B names are mapped to ours (learning_rate → lr). Every
 * run's parameters are validated like a single POST /v1/runs body, and errors name the parameter as the
 * user wrote it (with the distribution a bad sample came from); an expansion past MAX_RUNS_PER_SWEEP is
 * refused before anything is built.
 */
export function expandSweep(config: SweepConfig, limits: ExpansionLimits): RunParams[] {
  const schema = runParamsSchema({ maxEpochs: limits.maxEpochs });
  const { specs, renamed } = runParameterSpecs(config.parameters);
  if (!specs.model) specs.model = DEFAULT_MODEL;
  const written = new Map<string, string>(renamed.map((r) => [r.to, r.from]));
  const names = Object.keys(specs) as SweepParameterName[];
  const spec = (name: SweepParameterName) => specs[name] as ParameterSpec;
  let combos: Record<string, ParameterValue>[];

  if (config.method === 'grid') {
    let total = 1;
    for (const name of names) total *= gridValueCount(spec(name)) ?? 1;
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
    for (const name of names) {
      const values = gridValues(spec(name));
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
      sampleParameters(specs as Record<string, ParameterSpec>, rand),
    );
  }

  const runs: RunParams[] = [];
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const combo of combos) {
    const parsed = schema.safeParse(combo);
    if (!parsed.success) {
      for (const issue of zodIssues(parsed.error, 'body.parameters')) {
        const ours = issue.field.split('.')[2] as SweepParameterName | undefined;
        const original = ours ? written.get(ours) : undefined;
        const field = original
          ? issue.field.replace(`body.parameters.${ours}`, `body.parameters.${original}`)
          : issue.field;
        const from = ours ? specs[ours] : undefined;
        // A sampled value says where it came from; a listed value speaks for itself.
        const message =
          from && gridValueCount(from) === null
            ? `${issue.message} (sampled ${JSON.stringify(combo[ours as string])} from ${describeSpec(from)})`
            : issue.message;
        // Report each offending parameter once.
        const key = `${field}|${issue.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          issues.push({ field, message });
        }
      }
      continue;
    }
    runs.push(parsed.data);
  }
  if (issues.length > 0) throw validationError(issues);
  return runs;
}
