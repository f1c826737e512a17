import { z } from 'zod';
import { DatasetName } from './catalog.ts';
import { ModelName } from './model-catalog/model-catalog.ts';

/** A finite, strictly positive number; JSON cannot carry NaN/Infinity but YAML and query strings can. */
const positiveFinite = z.number().finite('must be a finite number').positive('must be greater than 0');

/**
 * Bounds that other schemas repeat (MAX_EPOCHS, the demo's subset sizes): one definition here. The
 * subsets cannot exceed the datasets (60,000 training and 10,000 test images, MNIST and Fashion-MNIST).
 */
export const RUN_PARAM_LIMITS = {
  maxEpochs: 10_000,
  trainSubset: { min: 10, max: 60_000 },
  valSubset: { min: 10, max: 10_000 },
} as const;
const { trainSubset, valSubset } = RUN_PARAM_LIMITS;

/**
 * The hyper-parameters of one training run, snake_case as on the wire. Limits that depend on the
 * deployment (the epoch cap) are applied by `runParamsSchema(limits)`. This object is the one list of
 * run parameters: the `runs` columns, the metrics table and CSV, the report's conditions and the job
 * payload rebuilt from a row all take their fields from it, in this order (the CSV column order).
 */
export function runParamsSchema(limits: { maxEpochs: number }) {
  return z
    .object({
      model: ModelName,
      dataset: DatasetName.default('mnist'),
      lr: positiveFinite.max(10, 'must be at most 10'),
      batch_size: z.number().int('must be an integer').min(1).max(4096).default(64),
      momentum: z.number().finite().min(0, 'must be at least 0').lt(1, 'must be less than 1').default(0),
      seed: z
        .number()
        .int('must be an integer')
        .min(0)
        .max(2 ** 31 - 1)
        .default(0),
      epochs: z
        .number()
        .int('must be an integer')
        .min(1, 'must be at least 1')
        .max(limits.maxEpochs, `must be at most ${limits.maxEpochs} (MAX_EPOCHS)`),
      train_subset: z
        .number()
        .int('must be an integer')
        .min(trainSubset.min)
        .max(trainSubset.max)
        .nullable()
        .optional(),
      val_subset: z
        .number()
        .int('must be an integer')
        .min(valSubset.min)
        .max(valSubset.max)
        .nullable()
        .optional(),
    })
    .strict();
}

/** The widest limits any deployment may configure; payloads on the queue are checked against these. */
export const RunParams = runParamsSchema({ maxEpochs: RUN_PARAM_LIMITS.maxEpochs });
export type RunParams = z.infer<typeof RunParams>;
export type RunParamsInput = z.input<typeof RunParams>;

/** Every run parameter, in schema order. */
export const RUN_PARAM_FIELDS = Object.keys(RunParams.shape) as (keyof RunParams)[];

/**
 * The parameters a comparison holds fixed: all but the model (what is compared) and the seed (the
 * replicate). Runs that share these are comparable across models.
 */
export const RUN_CONDITION_FIELDS = RUN_PARAM_FIELDS.filter((f) => f !== 'model' && f !== 'seed') as Exclude<
  keyof RunParams,
  'model' | 'seed'
>[];
export type RunConditionField = (typeof RUN_CONDITION_FIELDS)[number];

/** Run parameters as a database row holds them: an optional parameter that was left out is null. */
export type StoredRunParams = {
  [K in keyof RunParams]-?: undefined extends RunParams[K]
    ? Exclude<RunParams[K], undefined> | null
    : RunParams[K];
};

/** The subset of `row` named by `fields`, in that order. */
export function pickFields<T extends object, K extends keyof T>(row: T, fields: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const f of fields) out[f] = row[f];
  return out;
}

/** RunParams as a row stores them: every field present, an omitted optional one as null. */
export function storedRunParams(params: RunParams): StoredRunParams {
  const row = {} as Record<string, unknown>;
  for (const f of RUN_PARAM_FIELDS) row[f] = params[f] ?? null;
  return row as StoredRunParams;
}

/** The inverse of storedRunParams: a row's parameters with the nulls of optional ones left out. */
export function runParamsFromRow(row: StoredRunParams): RunParams {
  const params = {} as Record<string, unknown>;
  for (const f of RUN_PARAM_FIELDS) if (row[f] !== null) params[f] = row[f];
  return params as RunParams;
}
