import {
  defaultedRunParameters,
  describeSpec,
  gridValueCount,
  type ParameterSpec,
  type ParameterValue,
  REFERENCE_RUN_DEFAULTS,
  REQUIRED_SWEEP_PARAMETERS,
  type RunParams,
  runParameterSpecs,
  type runParamsSchema,
  type SweepParameterName,
} from '@sweeplab/shared';
import { type FieldIssue, validationError, zodIssues } from './errors.ts';

/**
 * A sweep's parameters resolved into the parameters of a built-in run (the networks of
 * packages/models): W&B names mapped to ours, and the reference defaults (REFERENCE_RUN_DEFAULTS) for
 * what the file does not sweep. Grid and random expansion and every proposal of the sweep controller
 * draw their values from these specs and validate them with `builtInRunParams`, so a sweep's runs are
 * made the same way whichever path made them.
 */
export interface BuiltInRunSpecs {
  /** The file's parameters under our names → specs, in the file's order: what values are drawn from. */
  specs: Record<string, ParameterSpec>;
  /**
   * The reference defaults the file leaves to apply. Added to each draw, never drawn: a seeded sampler
   * spends its numbers on the file's own parameters only.
   */
  defaults: Record<string, ParameterValue>;
  /**
   * Parameters a built-in run needs that have no honest default and that the file does not sweep
   * (epochs): `builtInRunParams` refuses every draw with "add epochs: {value: N} to parameters".
   */
  missing: readonly SweepParameterName[];
  /** Our name → the name the file wrote (learning_rate for lr), so errors name what the user wrote. */
  written: ReadonlyMap<string, string>;
}

/** The run-params schema for this deployment's limits (runParamsSchema({ maxEpochs })). */
export type RunParamsSchema = ReturnType<typeof runParamsSchema>;

/** Resolves a sweep's parameters (what is missing is refused when runs are made from it). */
export function resolveBuiltInRunSpecs(parameters: Readonly<Record<string, ParameterSpec>>): BuiltInRunSpecs {
  const { specs: ours, renamed } = runParameterSpecs(parameters);
  const defaults: Record<string, ParameterValue> = {};
  for (const name of defaultedRunParameters(parameters)) defaults[name] = REFERENCE_RUN_DEFAULTS[name];
  return {
    specs: ours as Record<string, ParameterSpec>,
    defaults,
    missing: REQUIRED_SWEEP_PARAMETERS.filter((name) => !ours[name]),
    written: new Map(renamed.map((r) => [r.to, r.from])),
  };
}

/**
 * Completes drawn values (one record per run, our names) with the defaults and validates them like
 * POST /v1/runs bodies. Errors name the
 * parameter as the file wrote it and, for a sampled value, the distribution it came from; each
 * offending parameter is reported once.
 */
export function builtInRunParams(
  resolved: BuiltInRunSpecs,
  draws: readonly Record<string, ParameterValue>[],
  schema: RunParamsSchema,
): RunParams[] {
  const runs: RunParams[] = [];
  // A missing parameter is said once, as what to add, not as each run's type error about it.
  const issues: FieldIssue[] = resolved.missing.map((name) => ({
    field: `body.parameters.${name}`,
    message: `not swept and has no default; add ${name}: {value: N} to parameters`,
  }));
  const seen = new Set<string>(issues.map((i) => i.field));
  for (const draw of draws) {
    const parsed = schema.safeParse({ ...resolved.defaults, ...draw });
    if (parsed.success) {
      runs.push(parsed.data);
      continue;
    }
    for (const issue of zodIssues(parsed.error, 'body.parameters')) {
      const ours = issue.field.split('.')[2] as SweepParameterName | undefined;
      const original = ours ? resolved.written.get(ours) : undefined;
      const field = original
        ? issue.field.replace(`body.parameters.${ours}`, `body.parameters.${original}`)
        : issue.field;
      const from = ours ? resolved.specs[ours] : undefined;
      // A sampled value says where it came from; a listed value speaks for itself.
      const message =
        from && gridValueCount(from) === null
          ? `${issue.message} (sampled ${JSON.stringify(draw[ours as string])} from ${describeSpec(from)})`
          : issue.message;
      const key = `${field}|${issue.message}`;
      if (!seen.has(key) && !seen.has(field)) {
        seen.add(key);
        issues.push({ field, message });
      }
    }
  }
  if (issues.length > 0) throw validationError(issues);
  return runs;
}
