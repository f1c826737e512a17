import { z } from 'zod';

/**
 * The keys of a W&B sweep config that make a sweep adaptive: `early_terminate` (hyperband, exactly as
 * wandb/sweeps' hyperband_stopping.py reads it; asha, as Ray Tune's ASHAScheduler; median, as Optuna's
 * MedianPruner) and, for `method: bayes` or an open-ended random sweep, `max_concurrent`. Kept apart
 * from sweep-config.ts so the W&B-compatibility work there merges cleanly.
 */

/** Bands (epochs at which runs are judged) as W&B derives them from `max_iter`+`s` or `min_iter`. */
export function hyperbandBands(et: {
  min_iter?: number;
  max_iter?: number;
  s?: number;
  eta: number;
}): number[] {
  const bands: number[] = [];
  if (et.max_iter !== undefined) {
    let band = et.max_iter;
    for (let i = 0; i < (et.s ?? 0); i++) {
      band /= et.eta;
      if (band < 1) break;
      bands.push(Math.trunc(band));
    }
    return bands.sort((a, b) => a - b);
  }
  if (et.min_iter !== undefined) {
    // W&B lists 100 bands; past any epoch count a run can have, they never apply, so stop at 1e9.
    for (let band = et.min_iter; bands.length < 100 && band <= 1e9; band *= et.eta)
      bands.push(Math.trunc(band));
  }
  return bands;
}

export const HyperbandConfig = z
  .object({
    type: z.literal('hyperband', { message: 'must be hyperband' }),
    min_iter: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
    max_iter: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
    s: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
    eta: z.number().finite().gt(1, 'must be greater than 1').default(3),
    strict: z.boolean().default(true),
  })
  .strict()
  .superRefine((et, ctx) => {
    if (et.min_iter !== undefined && et.max_iter !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['max_iter'], message: 'cannot be combined with min_iter' });
      return;
    }
    if (et.min_iter === undefined && et.max_iter === undefined) {
      ctx.addIssue({ code: 'custom', path: ['min_iter'], message: 'is required (or max_iter with s)' });
      return;
    }
    if (et.max_iter !== undefined && et.s === undefined) {
      ctx.addIssue({ code: 'custom', path: ['s'], message: 'is required with max_iter' });
      return;
    }
    if (et.min_iter !== undefined && et.s !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['s'], message: 'only applies with max_iter' });
      return;
    }
    if (hyperbandBands(et).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_iter'],
        message: 'gives no band (max_iter / eta < 1); raise max_iter or lower eta',
      });
    }
  });
export type HyperbandConfig = z.infer<typeof HyperbandConfig>;

/**
 * ASHA's rungs per bracket, as Ray Tune's `_Bracket` builds them (ray-project/ray,
 * python/ray/tune/schedulers/async_hyperband.py): bracket s has
 * int(log(max_t / grace_period) / log(reduction_factor) − s + 1) rungs at
 * grace_period · reduction_factor^(k + s), ascending here (Ray keeps them descending). The last can
 * equal max_t, where Ray ends a trial rather than judging it.
 */
export function ashaBracketRungs(et: {
  grace_period: number;
  reduction_factor: number;
  max_t: number;
  brackets: number;
}): number[][] {
  return Array.from({ length: et.brackets }, (_, s) => {
    const count = Math.trunc(Math.log(et.max_t / et.grace_period) / Math.log(et.reduction_factor) - s + 1);
    return Array.from(
      { length: Math.max(0, count) },
      (_, k) => et.grace_period * et.reduction_factor ** (k + s),
    );
  });
}

/** Ray Tune's ASHAScheduler arguments and defaults (max_t 100, grace_period 1, reduction_factor 4, brackets 1). */
export const AshaConfig = z
  .object({
    type: z.literal('asha'),
    grace_period: z.number().int('must be an integer').min(1, 'must be at least 1').default(1),
    reduction_factor: z.number().finite().gt(1, 'must be greater than 1').default(4),
    max_t: z.number().int('must be an integer').min(1, 'must be at least 1').default(100),
    brackets: z.number().int('must be an integer').min(1, 'must be at least 1').max(10).default(1),
  })
  .strict()
  .superRefine((et, ctx) => {
    // Field checks have already named a bad value; the rungs below would be meaningless.
    if (!(et.reduction_factor > 1 && et.grace_period >= 1 && et.max_t >= 1)) return;
    if (et.max_t < et.grace_period) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_t'],
        message: `must be at least grace_period (${et.grace_period})`,
      });
      return;
    }
    const empty = ashaBracketRungs(et).findIndex((rungs) => rungs.length === 0);
    if (empty !== -1) {
      ctx.addIssue({
        code: 'custom',
        path: ['brackets'],
        message: `bracket ${empty} would have no rung (grace_period · reduction_factor^${empty} > max_t); use at most ${empty}`,
      });
    }
  });
export type AshaConfig = z.infer<typeof AshaConfig>;

/**
 * The median stopping rule as Optuna's MedianPruner applies it (optuna/pruners/_median.py and
 * _percentile.py): from epoch `grace_period` on (Optuna's n_warmup_steps + 1: its steps count from 0, our epochs from 1), once
 * `min_runs` runs have completed (n_startup_trials, default 5), a running run whose best value so far
 * is worse than the median of the completed runs' values at the same epoch is stopped.
 */
export const MedianStopConfig = z
  .object({
    type: z.literal('median'),
    grace_period: z.number().int('must be an integer').min(1, 'must be at least 1').default(1),
    min_runs: z.number().int('must be an integer').min(1, 'must be at least 1').default(5),
  })
  .strict();
export type MedianStopConfig = z.infer<typeof MedianStopConfig>;

export const EARLY_TERMINATE_TYPES = ['hyperband', 'asha', 'median'] as const;
export type EarlyTerminateType = (typeof EARLY_TERMINATE_TYPES)[number];

export const EarlyTerminateConfig = z.discriminatedUnion(
  'type',
  [HyperbandConfig, AshaConfig, MedianStopConfig],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `must be one of ${EARLY_TERMINATE_TYPES.join(', ')}` : undefined,
  },
);
export type EarlyTerminateConfig = z.infer<typeof EarlyTerminateConfig>;

export const adaptiveSweepKeys = {
  early_terminate: EarlyTerminateConfig.optional(),
  /**
   * Runs a bayes (or open-ended random) sweep keeps queued or running at once; defaults to the number
   * of live worker slots when the sweep proposes.
   */
  max_concurrent: z.number().int('must be an integer').min(1, 'must be at least 1').max(1000).optional(),
};

interface AdaptiveFields {
  method: string;
  metric?: unknown;
  run_cap?: number | undefined;
  early_terminate?: EarlyTerminateConfig | undefined;
  max_concurrent?: number | undefined;
  parameters: Record<string, object>;
}

/** Cross-field rules for the adaptive keys; called from SweepConfig's superRefine. */
export function refineAdaptiveSweep(cfg: AdaptiveFields, ctx: z.RefinementCtx): void {
  if (cfg.early_terminate !== undefined && cfg.metric === undefined) {
    ctx.addIssue({ code: 'custom', path: ['metric'], message: 'is required when early_terminate is set' });
  }
  if (cfg.method === 'bayes') {
    if (cfg.metric === undefined) {
      ctx.addIssue({ code: 'custom', path: ['metric'], message: 'is required when method is bayes' });
    }
    const searchable = Object.values(cfg.parameters).some((spec) => isSearchable(spec));
    if (!searchable) {
      ctx.addIssue({
        code: 'custom',
        path: ['parameters'],
        message: 'bayes needs at least one parameter with more than one value (values or a distribution)',
      });
    }
  }
  if (cfg.max_concurrent !== undefined && cfg.method === 'grid') {
    ctx.addIssue({
      code: 'custom',
      path: ['max_concurrent'],
      message: 'applies to bayes and random sweeps only',
    });
  }
}

/** Whether a parameter spec offers more than one value to search over. */
export function isSearchable(spec: object): boolean {
  if ('value' in spec) return false;
  if ('values' in spec)
    return new Set((spec as { values: unknown[] }).values.map((v) => JSON.stringify(v))).size > 1;
  if ('min' in spec && 'max' in spec) return (spec as { min: number }).min !== (spec as { max: number }).max;
  return 'distribution' in spec;
}

/** A sweep whose runs are proposed one at a time by the API's sweep controller, not all up front. */
export function isIncrementalSweep(cfg: { method: string; run_cap?: number | undefined }): boolean {
  return cfg.method === 'bayes' || (cfg.method === 'random' && cfg.run_cap === undefined);
}
