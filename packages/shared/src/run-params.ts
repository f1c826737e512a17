import { z } from 'zod';
import { DatasetName } from './datasets-and-backends.ts';
import { MODEL_CATALOG, ModelName } from './model-catalog/model-catalog.ts';

/** Update rules, each with torch.optim's semantics (packages/models/src/training/optimizers). */
export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw', 'rmsprop'] as const;
export const OptimizerName = z.enum(OPTIMIZER_NAMES, {
  message: `must be one of ${OPTIMIZER_NAMES.join(', ')}`,
});
export type OptimizerName = z.infer<typeof OptimizerName>;

/** Per-epoch learning-rate schedules; any of them may start with a linear warmup. */
export const LR_SCHEDULE_NAMES = ['constant', 'step', 'cosine'] as const;
export const LrScheduleName = z.enum(LR_SCHEDULE_NAMES, {
  message: `must be one of ${LR_SCHEDULE_NAMES.join(', ')}`,
});
export type LrScheduleName = z.infer<typeof LrScheduleName>;

/** Residual blocks per stage of `resnet`/`plain`; 1 is the reference network. */
export const MAX_DEPTH = 8;

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
      optimizer: OptimizerName.default('sgd'),
      /** Nesterov momentum (sgd only, needs momentum > 0), as torch.optim.SGD(nesterov=True). */
      nesterov: z.boolean('must be true or false').default(false),
      /** L2 penalty added to the gradient (sgd, adam, rmsprop) or decoupled decay (adamw), as in PyTorch. */
      weight_decay: z.number().finite().min(0, 'must be at least 0').max(1, 'must be at most 1').default(0),
      lr_schedule: LrScheduleName.default('constant'),
      /** `step` schedule: multiply the lr by lr_gamma every lr_step_epochs epochs (after any warmup). */
      lr_step_epochs: z.number().int('must be an integer').min(1, 'must be at least 1').nullable().optional(),
      lr_gamma: z.number().finite().gt(0, 'must be greater than 0').max(1, 'must be at most 1').default(0.1),
      /** Epochs of linear warmup: epoch e ≤ W trains at lr·e/(W+1). */
      warmup_epochs: z.number().int('must be an integer').min(0, 'must be at least 0').default(0),
      depth: z
        .number()
        .int('must be an integer')
        .min(1, 'must be at least 1')
        .max(MAX_DEPTH, `must be at most ${MAX_DEPTH}`)
        .default(1),
    })
    .strict()
    .superRefine((p, ctx) => {
      const issue = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      if (p.nesterov && p.optimizer !== 'sgd')
        issue('nesterov', `applies to sgd only (optimizer is ${p.optimizer})`);
      if (p.nesterov && p.momentum === 0) issue('nesterov', 'needs momentum greater than 0');
      if (p.momentum > 0 && (p.optimizer === 'adam' || p.optimizer === 'adamw')) {
        issue('momentum', `${p.optimizer} has no momentum parameter (its betas are PyTorch's 0.9, 0.999)`);
      }
      if (p.lr_schedule === 'step' && (p.lr_step_epochs ?? null) === null) {
        issue('lr_step_epochs', 'is required when lr_schedule is step');
      }
      if (p.warmup_epochs > 0 && p.warmup_epochs >= p.epochs) {
        issue('warmup_epochs', `must be less than epochs (${p.epochs})`);
      }
      if (p.depth > 1 && !MODEL_CATALOG[p.model].hasDepth)
        issue('depth', `applies to models with residual stages; ${p.model} has a fixed depth`);
    });
}

/** The run parameters added by the training recipes (issue #11), in the order tables show them. */
export const TRAINING_RECIPE_FIELDS = [
  'optimizer',
  'nesterov',
  'weight_decay',
  'lr_schedule',
  'lr_step_epochs',
  'lr_gamma',
  'warmup_epochs',
  'depth',
] as const;
/** The recipe as a row stores it (an unset lr_step_epochs is null). */
export type TrainingRecipe = Pick<StoredRunParams, (typeof TRAINING_RECIPE_FIELDS)[number]>;

/** The reference recipe: what a run without these fields trains with. */
export const REFERENCE_RECIPE: TrainingRecipe = {
  optimizer: 'sgd',
  nesterov: false,
  weight_decay: 0,
  lr_schedule: 'constant',
  lr_step_epochs: null,
  lr_gamma: 0.1,
  warmup_epochs: 0,
  depth: 1,
};

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
