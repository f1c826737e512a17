import { z } from 'zod';
import { adaptiveSweepKeys, refineAdaptiveSweep } from './adaptive-sweep-config.ts';
import { RUN_PARAM_FIELDS } from './run-params.ts';

/**
 * A W&B-compatible sweep configuration (https://docs.wandb.ai/guides/sweeps/sweep-config-keys), the
 * subset this orchestrator can honour. Keys W&B users paste for their own tooling (program, command,
 * project, entity, description) are accepted and stored. The adaptive keys (early_terminate,
 * max_concurrent) live in adaptive-sweep-config.ts.
 */

function isControlCharacter(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}

const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const ParameterSpec = z.union([
  z.object({ value: scalar }).strict(),
  z.object({ values: z.array(scalar).min(1, 'must list at least one value') }).strict(),
  z
    .object({
      distribution: z.literal('categorical'),
      values: z.array(scalar).min(1, 'must list at least one value'),
    })
    .strict(),
  z
    .object({
      distribution: z.enum(['uniform', 'log_uniform_values', 'int_uniform']),
      min: z.number().finite('must be a finite number'),
      max: z.number().finite('must be a finite number'),
    })
    .strict(),
]);
export type ParameterSpec = z.infer<typeof ParameterSpec>;

/** A sweep may vary any run parameter, and nothing else. */
export const SWEEP_PARAMETER_NAMES: readonly string[] = RUN_PARAM_FIELDS;

export const SweepMetric = z
  .object({
    name: z.enum(['val_acc', 'val_loss', 'train_loss', 'train_acc'], {
      message: 'must be one of val_acc, val_loss, train_loss, train_acc',
    }),
    goal: z.enum(['maximize', 'minimize']).default('maximize'),
  })
  .strict();

export const SweepConfig = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      // Control characters break logs, CSV and terminals; printable unicode is welcome.
      .refine((s) => ![...s].some(isControlCharacter), 'must not contain control characters'),
    description: z.string().max(2000).optional(),
    method: z.enum(['grid', 'random', 'bayes'], { message: 'must be grid, random or bayes' }),
    metric: SweepMetric.optional(),
    parameters: z
      .record(z.string(), ParameterSpec)
      .refine((p) => Object.keys(p).length > 0, 'must define at least one parameter'),
    run_cap: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
    program: z.string().optional(),
    command: z.array(z.string()).optional(),
    project: z.string().optional(),
    entity: z.string().optional(),
    ...adaptiveSweepKeys,
    /** Seed for the random and bayes samplers, so a sweep's proposals can be reproduced. */
    sampler_seed: z.number().int().min(0).optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    refineAdaptiveSweep(cfg, ctx);
    for (const [name, spec] of Object.entries(cfg.parameters)) {
      if (!SWEEP_PARAMETER_NAMES.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', name],
          message: `unknown parameter; expected one of ${SWEEP_PARAMETER_NAMES.join(', ')}`,
        });
      }
      if (cfg.method === 'grid' && 'distribution' in spec && spec.distribution !== 'categorical') {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', name],
          message: 'a grid sweep needs value or values, not a distribution',
        });
      }
      if ('min' in spec && !(spec.min < spec.max)) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', name, 'max'],
          message: 'must be greater than min',
        });
      }
      if ('min' in spec && spec.distribution === 'log_uniform_values' && spec.min <= 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', name, 'min'],
          message: 'must be greater than 0 for log_uniform_values',
        });
      }
    }
  });
export type SweepConfig = z.infer<typeof SweepConfig>;
