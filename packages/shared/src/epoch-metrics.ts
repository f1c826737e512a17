import { z } from 'zod';

/** What the training loop reports after every epoch (train_loss is the mean over the epoch's batches). */
export const EpochMetrics = z.object({
  epoch: z.number().int().min(1),
  train_loss: z.number(),
  train_acc: z.number().min(0).max(1),
  val_loss: z.number(),
  val_acc: z.number().min(0).max(1),
  epoch_seconds: z.number().min(0),
  images_per_second: z.number().min(0),
  /**
   * Learning rate this epoch trained at (schedule and warmup applied); absent from older workers. Not
   * `lr`, which names the run's base rate in the same metrics row.
   */
  epoch_lr: z.number().min(0).optional(),
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;

/** The measured values of an epoch (everything but its number), in schema order: the metric columns. */
export const EPOCH_METRIC_FIELDS = Object.keys(EpochMetrics.shape).filter((f) => f !== 'epoch') as Exclude<
  keyof EpochMetrics,
  'epoch'
>[];
export type EpochMetricField = (typeof EPOCH_METRIC_FIELDS)[number];

/**
 * The metrics a sweep can optimise and hyperband can judge: metric columns, so the database reads them
 * by name (`epoch_metrics.<name>`) without a second list.
 */
export const METRIC_NAMES = [
  'val_acc',
  'val_loss',
  'train_loss',
  'train_acc',
] as const satisfies readonly EpochMetricField[];
export type MetricName = (typeof METRIC_NAMES)[number];
/** An epoch's measured values as a database row holds them: a metric an older worker did not send is null. */
export type EpochMetricValues = {
  [K in EpochMetricField]-?: undefined extends EpochMetrics[K]
    ? Exclude<EpochMetrics[K], undefined> | null
    : EpochMetrics[K];
};
