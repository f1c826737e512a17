import { z } from 'zod';
import { RUN_PARAM_FIELDS } from './run-params.ts';

/**
 * A W&B-compatible sweep configuration (https://docs.wandb.ai/guides/sweeps/sweep-config-keys), the
 * subset this orchestrator can honour. Keys W&B users paste for their own tooling (program, command,
 * project, entity, description) are accepted and stored; keys whose behaviour we do not implement
 * (bayes, early_terminate) are refused with a reason rather than silently ignored.
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
    method: z.enum(['grid', 'random', 'bayes'], { message: 'must be grid or random' }),
    metric: SweepMetric.optional(),
    parameters: z
      .record(z.string(), ParameterSpec)
      .refine((p) => Object.keys(p).length > 0, 'must define at least one parameter'),
    run_cap: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
    program: z.string().optional(),
    command: z.array(z.string()).optional(),
    project: z.string().optional(),
    entity: z.string().optional(),
    early_terminate: z.unknown().optional(),
    /** Seed for the random search's sampler, so a random sweep can be reproduced. */
    sampler_seed: z.number().int().min(0).optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.method === 'bayes') {
      ctx.addIssue({
        code: 'custom',
        path: ['method'],
        message: 'bayes is not supported; use grid or random',
      });
    }
    if (cfg.early_terminate !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['early_terminate'],
        message: 'early termination is not supported',
      });
    }
    if (cfg.method === 'random' && cfg.run_cap === undefined) {
      ctx.addIssue({ code: 'custom', path: ['run_cap'], message: 'is required when method is random' });
    }
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
