import type { MetricColumn } from '@sweeplab/db';
import {
  createPrng,
  type RunParams,
  type SweepConfig,
  sampleParameters,
  sweepMetric,
} from '@sweeplab/shared';
import {
  type BuiltInRunSpecs,
  builtInRunParams,
  type RunParamsSchema,
  resolveBuiltInRunSpecs,
} from '../sweep-run-parameters.ts';
import { type Observation, proposeBayes } from './bayes-search.ts';
import { buildSearchSpace, decodePoint, encodeParams, type Point, type SearchSpace } from './search-space.ts';

/** What the controller needs to judge and propose for one sweep, derived once from its config. */
export interface SearchPlan {
  config: SweepConfig;
  metric: MetricColumn;
  goal: 'maximize' | 'minimize';
  runSpecs: BuiltInRunSpecs;
  /**
   * Bayes' unit cube over the resolved specs (our names, so a run's params encode back to its point).
   * Only bayes has one: any other sweep gets the empty space, where every run is the same point, so
   * nothing bayes needs (and not every W&B distribution has a mapping) is built for it.
   */
  space: SearchSpace;
}

const EMPTY_SPACE: SearchSpace = { dims: [], constants: {} };

/** Throws the 400 of resolveBuiltInRunSpecs for a sweep that cannot make built-in runs. */
export function searchPlan(config: SweepConfig): SearchPlan {
  const resolved = sweepMetric(config);
  const runSpecs = resolveBuiltInRunSpecs(config.parameters);
  return {
    config,
    metric: (resolved?.name ?? 'val_acc') as MetricColumn,
    goal: resolved?.goal ?? 'maximize',
    runSpecs,
    space: config.method === 'bayes' ? buildSearchSpace(runSpecs.specs) : EMPTY_SPACE,
  };
}

/**
 * Proposal `index` of an incremental sweep: bayes from its GP (random for the first two), an
 * open-ended random sweep a draw of every W&B distribution as a capped one is sampled. One PRNG stream
 * per proposal, so the same seed and observations give the same proposal after a restart. `point` is
 * what the caller adds to `pending` for the next proposal. Throws a 400
 * (ApiError naming the parameter as written) when the values are not a valid run.
 */
export function proposeRun(
  plan: SearchPlan,
  observations: readonly Observation[],
  pending: readonly Point[],
  index: number,
  schema: RunParamsSchema,
): { params: RunParams; point: Point } {
  const prng = createPrng(plan.config.sampler_seed ?? 0, 'sweep-proposal', index);
  const rand = () => prng.next();
  if (plan.config.method === 'bayes') {
    const point = proposeBayes(plan.space, observations, pending, rand);
    const params = builtInRunParams(plan.runSpecs, [decodePoint(plan.space, point)], schema)[0] as RunParams;
    // The point of what will run (an integer range snapped to its cell), as observations encode it.
    return { params, point: encodeParams(plan.space, params as unknown as Record<string, unknown>) ?? point };
  }
  const [params] = builtInRunParams(plan.runSpecs, [sampleParameters(plan.runSpecs.specs, rand)], schema);
  return { params: params as RunParams, point: [] };
}

/**
 * The creation check of an incremental sweep: the first `count` proposals exactly as the controller
 * makes them when the search starts (no observations yet, each earlier proposal in flight). A file
 * that will not propose is refused with the 400 the controller would have hit.
 */
export function checkFirstProposals(plan: SearchPlan, schema: RunParamsSchema, count: number): void {
  const pending: Point[] = [];
  for (let i = 0; i < count; i++) pending.push(proposeRun(plan, [], pending, i, schema).point);
}
