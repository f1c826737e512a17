import { z } from 'zod';
import { METRIC_NAMES, type MetricName } from './epoch-metrics.ts';
import { RUN_PARAM_FIELDS, type RunParams } from './run-params.ts';
import type { ParameterSpec } from './sweep-distributions.ts';

/*
 * What makes a pasted W&B sweep file run here: W&B's common parameter names mapped to ours, metric
 * names people log for the same quantity, and a warning for every key that has no effect here.
 */

/** A sweep may vary any run parameter (under our names), and nothing else. */
export const SWEEP_PARAMETER_NAMES = RUN_PARAM_FIELDS;
export type SweepParameterName = keyof RunParams;

/** W&B examples' names for our parameters (weight_decay, optimizer, momentum, batch_size, epochs match). */
export const PARAMETER_ALIASES: Readonly<Record<string, SweepParameterName>> = {
  learning_rate: 'lr',
};

export function runParameterName(name: string): SweepParameterName | undefined {
  if ((SWEEP_PARAMETER_NAMES as readonly string[]).includes(name)) return name as SweepParameterName;
  return PARAMETER_ALIASES[name];
}

/** A sweep's metric once resolved: our name and a goal (what is stored and what jobs carry). */
export const ResolvedMetric = z
  .object({ name: z.enum(METRIC_NAMES), goal: z.enum(['maximize', 'minimize']) })
  .strict();
export type ResolvedMetric = z.infer<typeof ResolvedMetric>;

/** Only names with one meaning; `loss` or `accuracy` alone could be training or validation. */
const METRIC_ALIASES: Readonly<Record<string, MetricName>> = {
  val_accuracy: 'val_acc',
  validation_accuracy: 'val_acc',
  valid_acc: 'val_acc',
  valid_accuracy: 'val_acc',
  eval_accuracy: 'val_acc',
  test_accuracy: 'val_acc',
  test_acc: 'val_acc',
  validation_loss: 'val_loss',
  valid_loss: 'val_loss',
  eval_loss: 'val_loss',
  test_loss: 'val_loss',
  train_accuracy: 'train_acc',
  training_accuracy: 'train_acc',
  training_loss: 'train_loss',
};

/** Our metric for a W&B metric name, or undefined when the name is unknown or ambiguous. */
export function metricName(name: string): MetricName | undefined {
  if ((METRIC_NAMES as readonly string[]).includes(name)) return name as MetricName;
  return METRIC_ALIASES[name];
}

export function metricNameError(name: string): string {
  const lower = name.toLowerCase();
  const candidates = METRIC_NAMES.filter((m) =>
    /acc/.test(lower) ? m.endsWith('_acc') : /loss/.test(lower) ? m.endsWith('_loss') : false,
  );
  const known = `metrics here: ${METRIC_NAMES.join(', ')} (also ${Object.keys(METRIC_ALIASES).join(', ')})`;
  return candidates.length > 1
    ? `${JSON.stringify(name)} is ambiguous: it could be ${candidates.join(' or ')}; ${known}`
    : `unknown metric ${JSON.stringify(name)}; ${known}`;
}

/** Keys of a W&B sweep file we store but that change nothing here. */
export const KEYS_WITHOUT_EFFECT = {
  program: 'workers train the built-in models; program is stored but not run',
  command: 'workers train the built-in models; command is stored but not run',
  project: 'stored only; sweeplab has no projects',
  entity: 'stored only; sweeplab has no entities',
} as const;

/**
 * What a built-in run trains with when its sweep does not sweep the parameter: the reference
 * experiment's network, learning rate and batch size (He et al.'s MNIST setting the demo reproduces).
 * Each one applied is a warning in the 201. `epochs` has no honest default (W&B programs carry their
 * own), so a sweep without it is refused and told what to add.
 */
export const REFERENCE_RUN_DEFAULTS = { model: 'resnet', lr: 0.1, batch_size: 64 } as const;
export const REQUIRED_SWEEP_PARAMETERS = ['epochs'] as const satisfies readonly SweepParameterName[];

/** The reference defaults a sweep's parameters leave to apply (our names), in REFERENCE_RUN_DEFAULTS order. */
export function defaultedRunParameters(
  parameters: Readonly<Record<string, unknown>>,
): (keyof typeof REFERENCE_RUN_DEFAULTS)[] {
  const swept = new Set(Object.keys(parameters).map(runParameterName));
  return (Object.keys(REFERENCE_RUN_DEFAULTS) as (keyof typeof REFERENCE_RUN_DEFAULTS)[]).filter(
    (name) => !swept.has(name),
  );
}

/** The mapped view of a sweep's parameters: our names → specs, plus what was renamed. */
export function runParameterSpecs(parameters: Readonly<Record<string, ParameterSpec>>): {
  specs: Partial<Record<SweepParameterName, ParameterSpec>>;
  renamed: { from: string; to: SweepParameterName }[];
} {
  const specs: Partial<Record<SweepParameterName, ParameterSpec>> = {};
  const renamed: { from: string; to: SweepParameterName }[] = [];
  for (const [name, spec] of Object.entries(parameters)) {
    const ours = runParameterName(name);
    if (!ours) continue;
    specs[ours] = spec;
    if (ours !== name) renamed.push({ from: name, to: ours });
  }
  return { specs, renamed };
}
