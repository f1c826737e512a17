import { z } from 'zod';
import { adaptiveSweepKeys, refineAdaptiveSweep } from './adaptive-sweep-config.ts';
import { isProgramSweep, refineProgramSweep } from './program-sweep.ts';
import { gridValueCount, ParameterSpec } from './sweep-distributions.ts';
import {
  defaultedRunParameters,
  KEYS_WITHOUT_EFFECT,
  metricName,
  metricNameError,
  REFERENCE_RUN_DEFAULTS,
  type ResolvedMetric,
  runParameterName,
  SWEEP_PARAMETER_NAMES,
} from './wandb-compat.ts';

/**
 * A W&B-compatible sweep configuration (https://docs.wandb.ai/guides/sweeps/sweep-config-keys), the
 * subset this orchestrator can honour. Keys W&B users paste for their own tooling (program, command,
 * project, entity, description) are accepted and stored, and the response warns about the ones without
 * effect (wandb-compat.ts). Distributions live in sweep-distributions.ts; the adaptive keys
 * (early_terminate, max_concurrent) in adaptive-sweep-config.ts.
 */

function isControlCharacter(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}

export const SweepMetric = z
  .object({
    /** Ours (val_acc, val_loss, train_loss, train_acc) or an unambiguous W&B-style alias. */
    name: z.string().min(1, 'must not be empty'),
    /** Omitted: loss metrics minimize and accuracies maximize (W&B's own default is minimize). */
    goal: z.enum(['maximize', 'minimize'], { message: 'must be maximize or minimize' }).optional(),
    /** W&B stops a sweep at this value; stored, no effect here. */
    target: z.number().finite().optional(),
  })
  .strict();

/** Distributions the bayes search maps into its unit cube (apps/api sweep-controller/search-space.ts). */
export const BAYES_DISTRIBUTIONS = [
  'constant',
  'categorical',
  'uniform',
  'log_uniform_values',
  'int_uniform',
] as const;

export const SweepConfig = z
  .object({
    /** Optional as in W&B; a readable default is made from the method and swept parameters. */
    name: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      // Control characters break logs, CSV and terminals; printable unicode is welcome.
      .refine((s) => ![...s].some(isControlCharacter), 'must not contain control characters')
      .optional(),
    description: z.string().max(2000).optional(),
    method: z.enum(['grid', 'random', 'bayes'], { message: 'must be grid, random or bayes' }),
    metric: SweepMetric.optional(),
    parameters: z
      .record(z.string(), ParameterSpec)
      .refine((p) => Object.keys(p).length > 0, 'must define at least one parameter'),
    run_cap: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
    /** A program workers serve (issue #21); absent, or `sweeplab:builtin`, trains the built-in networks. */
    program: z.string().optional(),
    /** The program's command line with W&B's macros; default `${env} ${interpreter} ${program} ${args}`. */
    command: z.array(z.string().max(10_000)).max(1000).optional(),
    /** Program sweeps: how often a run whose program fails is started again (its own failures; default 0). */
    retries: z
      .number()
      .int('must be an integer')
      .min(0, 'must be at least 0')
      .max(10, 'must be at most 10')
      .optional(),
    project: z.string().optional(),
    entity: z.string().optional(),
    ...adaptiveSweepKeys,
    /** Seed for the random and bayes samplers, so a sweep's proposals can be reproduced. */
    sampler_seed: z.number().int().min(0).optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    refineAdaptiveSweep(cfg, ctx);
    if (isProgramSweep(cfg)) {
      refineProgramSweep(cfg, ctx);
      refineSearchDistributions(cfg, ctx);
      return;
    }
    const claimed = new Map<string, string>();
    for (const name of Object.keys(cfg.parameters)) {
      const ours = runParameterName(name);
      if (!ours) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', name],
          message: `unknown parameter; expected one of ${SWEEP_PARAMETER_NAMES.join(', ')} (or learning_rate for lr)`,
        });
        continue;
      }
      const other = claimed.get(ours);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', name],
          message: `sets ${ours}, which ${other} already sets; keep one of them`,
        });
      }
      claimed.set(ours, name);
    }
    refineSearchDistributions(cfg, ctx);
    if (cfg.metric && !metricName(cfg.metric.name)) {
      ctx.addIssue({ code: 'custom', path: ['metric', 'name'], message: metricNameError(cfg.metric.name) });
    }
  });
export type SweepConfig = z.infer<typeof SweepConfig>;

/** What the method can search: bayes maps only some distributions, a grid only finite ones. */
function refineSearchDistributions(
  cfg: Pick<SweepConfig, 'method' | 'parameters'>,
  ctx: z.RefinementCtx,
): void {
  for (const [name, spec] of Object.entries(cfg.parameters)) {
    if (cfg.method === 'bayes' && !(BAYES_DISTRIBUTIONS as readonly string[]).includes(spec.distribution)) {
      ctx.addIssue({
        code: 'custom',
        path: ['parameters', name, 'distribution'],
        message: `a bayes search here takes ${BAYES_DISTRIBUTIONS.join(', ')}, not ${spec.distribution}; use method random for it`,
      });
    }
    if (cfg.method === 'grid' && gridValueCount(spec) === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['parameters', name, 'distribution'],
        message: `a grid sweep takes value, values, int_uniform or q_uniform, not ${spec.distribution}`,
      });
    }
  }
}

/** Keys of the submitted file that were stored but change nothing, mapped names, and defaults applied. */
export function sweepWarnings(config: SweepConfig): string[] {
  const warnings: string[] = [];
  const program = isProgramSweep(config);
  for (const [key, reason] of Object.entries(KEYS_WITHOUT_EFFECT)) {
    // A program sweep runs its program and command; the built-in program has neither.
    if (program && (key === 'program' || key === 'command')) continue;
    if (config[key as keyof typeof KEYS_WITHOUT_EFFECT] !== undefined) warnings.push(`${key}: ${reason}`);
  }
  if (program) return warnings;
  if (config.retries !== undefined) {
    warnings.push('retries: for program sweeps; built-in runs retry infrastructure failures (JOB_ATTEMPTS)');
  }
  for (const name of Object.keys(config.parameters)) {
    const ours = runParameterName(name);
    if (ours && ours !== name) warnings.push(`parameters.${name}: mapped to ${ours}`);
  }
  for (const name of defaultedRunParameters(config.parameters)) {
    warnings.push(
      name === 'model'
        ? 'parameters.model: not swept; every run trains the reference resnet'
        : `parameters.${name}: not swept; every run uses the reference ${REFERENCE_RUN_DEFAULTS[name]}`,
    );
  }
  if (config.metric) {
    const ours = metricName(config.metric.name);
    if (ours && ours !== config.metric.name)
      warnings.push(`metric.name: ${config.metric.name} read as ${ours}`);
    if (config.metric.target !== undefined)
      warnings.push('metric.target: stored; sweeps here do not stop at a target');
  }
  return warnings;
}

/** The sweep's metric under our name, with the goal the metric implies when none was given. */
export function sweepMetric(config: SweepConfig): ResolvedMetric | null {
  if (!config.metric || isProgramSweep(config)) return null;
  const name = metricName(config.metric.name);
  // The schema refused unknown names, so a parsed config always resolves.
  if (!name) throw new Error(`unresolved metric ${config.metric.name}`);
  return { name, goal: config.metric.goal ?? (name.endsWith('_loss') ? 'minimize' : 'maximize') };
}

/** "grid over lr × optimizer" when the file has no name. */
export function defaultSweepName(config: SweepConfig): string {
  const swept = Object.entries(config.parameters)
    .filter(([, spec]) => spec.distribution !== 'constant')
    .map(([name]) => runParameterName(name) ?? name);
  return `${config.method} over ${swept.length > 0 ? swept.join(' × ') : 'constants'}`;
}
