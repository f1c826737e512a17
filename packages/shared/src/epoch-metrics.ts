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
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;

/** The measured values of an epoch (everything but its number), in schema order: the metric columns. */
export const EPOCH_METRIC_FIELDS = Object.keys(EpochMetrics.shape).filter((f) => f !== 'epoch') as Exclude<
  keyof EpochMetrics,
  'epoch'
>[];
export type EpochMetricField = (typeof EPOCH_METRIC_FIELDS)[number];
export type EpochMetricValues = Pick<EpochMetrics, EpochMetricField>;
