import { z } from 'zod';
import { DatasetName, ModelName } from './catalog.ts';

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
 * deployment (the epoch cap) are applied by `runParamsSchema(limits)`.
 */
export function runParamsSchema(limits: { maxEpochs: number }) {
  return z
    .object({
      model: ModelName,
      dataset: DatasetName.default('mnist'),
      lr: positiveFinite.max(10, 'must be at most 10'),
      epochs: z
        .number()
        .int('must be an integer')
        .min(1, 'must be at least 1')
        .max(limits.maxEpochs, `must be at most ${limits.maxEpochs} (MAX_EPOCHS)`),
      batch_size: z.number().int('must be an integer').min(1).max(4096).default(64),
      seed: z
        .number()
        .int('must be an integer')
        .min(0)
        .max(2 ** 31 - 1)
        .default(0),
      momentum: z.number().finite().min(0, 'must be at least 0').lt(1, 'must be less than 1').default(0),
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
