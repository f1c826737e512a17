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
  /** Learning rate this epoch trained at (schedule and warmup applied); absent from older workers. */
  lr: z.number().min(0).optional(),
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;
