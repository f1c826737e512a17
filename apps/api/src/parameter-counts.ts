import { parameterCountKey } from '@sweeplab/report';
import type { ModelName } from '@sweeplab/shared';

/**
 * Trainable parameters per model, for the report's "parameters" column. These are the literals
 * `parameterCount()` in @sweeplab/models returns (parameter-counts.test.ts pins them); they are copied
 * here because importing that package would load TF.js into the API.
 */
export const PARAMETER_COUNTS: Readonly<Record<ModelName, number>> = {
  cnn: 823_746,
  resnet: 221_810,
  plain: 221_810,
};

/**
 * What one more residual block per stage adds to resnet/plain: a 20-channel block (20,450) in stage 1
 * and a 15-channel block (15,345) in stage 2.
 */
export const PARAMETERS_PER_EXTRA_DEPTH = 35_795;

export function parameterCountOf(model: ModelName, depth: number): number {
  return PARAMETER_COUNTS[model] + (model === 'cnn' ? 0 : (depth - 1) * PARAMETERS_PER_EXTRA_DEPTH);
}

/** Counts for every (model, depth) among the runs, keyed as the report looks them up. */
export function parameterCounts(runs: readonly { model: string; depth: number }[]): Record<string, number> {
  const counts: Record<string, number> = { ...PARAMETER_COUNTS };
  for (const { model, depth } of runs) {
    if (model in PARAMETER_COUNTS) {
      counts[parameterCountKey(model, depth)] = parameterCountOf(model as ModelName, depth);
    }
  }
  return counts;
}
