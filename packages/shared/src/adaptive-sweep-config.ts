import { z } from 'zod';

/**
 * The keys of a W&B sweep config that make a sweep adaptive: `early_terminate` (hyperband, exactly as
 * wandb/sweeps' hyperband_stopping.py reads it) and, for `method: bayes` or an open-ended random sweep,
 * `max_concurrent`. Kept apart from sweep-config.ts so the W&B-compatibility work there merges cleanly.
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
    type: z.literal('hyperband', { message: 'must be hyperband (the only early_terminate type)' }),
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

export const adaptiveSweepKeys = {
  early_terminate: HyperbandConfig.optional(),
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
  early_terminate?: HyperbandConfig | undefined;
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
