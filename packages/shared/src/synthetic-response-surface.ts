import type { EpochMetrics } from './epoch-metrics.ts';
import type { RunParams } from './run-params.ts';

/**
 * The response surface of the synthetic trainer (WORKER_TRAINER=synthetic): made-up learning curves
 * whose quality depends on the hyper-parameters, so sweeps, early termination and bayes search can be
 * exercised and benchmarked without compute. Nothing here says anything about the real models.
 *
 * quality q ∈ (0, 1]:
 * - effective step  s = lr / (1 − momentum) · √(64 / batch_size)   (momentum and batch-size scaling)
 * - q_lr    = exp(−(log10(s / 0.1))² / (2 · 0.45²))                 (best at s = 0.1; 10× off → 0.08)
 * - q_batch = exp(−(log2(batch_size / 64) / 3)² / 2)                (large batches generalise worse)
 * - q = q_lr · q_batch
 * curves, with progress p = min(1, rate(model) · epoch / epochs), rate cnn 0.8, plain 0.9, resnet 1:
 * - val_acc  = min(1, 0.1 + 0.4 q + 0.48 q p − noise),  val_loss  = 2.3 e^(−2.5 q p) + noise
 * - train_acc = min(1, 0.1 + 0.4 q + 0.49 q p),          train_loss = 2.3 e^(−3 q p) + noise
 * noise ∈ [0, 0.01): a hash of (seed, epoch, lr, momentum, batch_size), so a run is reproducible and a
 * resumed run repeats its epochs exactly. At lr 0.1, momentum 0, batch 64 (q = 1) the curves are the
 * synthetic trainer's original ones.
 */
export function syntheticQuality(params: Pick<RunParams, 'lr' | 'momentum' | 'batch_size'>): number {
  const step = (params.lr / (1 - params.momentum)) * Math.sqrt(64 / params.batch_size);
  const qLr = Math.exp(-(Math.log10(step / 0.1) ** 2) / (2 * 0.45 ** 2));
  const qBatch = Math.exp(-((Math.log2(params.batch_size / 64) / 3) ** 2) / 2);
  return qLr * qBatch;
}

const SYNTHETIC_RATE: Record<RunParams['model'], number> = { cnn: 0.8, plain: 0.9, resnet: 1 };

function noise(params: RunParams, epoch: number): number {
  // FNV-1a over the inputs: deterministic, and different for nearby configurations.
  let h = 0x811c9dc5;
  for (const ch of `${params.seed}|${epoch}|${params.lr}|${params.momentum}|${params.batch_size}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 1000) / 100_000;
}

/** Metrics of epoch `epoch` (1-based) of a synthetic run, apart from the timing fields. */
export function syntheticEpochMetrics(
  params: RunParams,
  epoch: number,
): Omit<EpochMetrics, 'epoch_seconds' | 'images_per_second'> {
  const q = syntheticQuality(params);
  const progress = Math.min(1, (SYNTHETIC_RATE[params.model] * epoch) / params.epochs);
  const jitter = noise(params, epoch);
  return {
    epoch,
    train_loss: 2.3 * Math.exp(-3 * q * progress) + jitter,
    train_acc: Math.min(1, 0.1 + 0.4 * q + 0.49 * q * progress),
    val_loss: 2.3 * Math.exp(-2.5 * q * progress) + jitter,
    val_acc: Math.min(1, 0.1 + 0.4 * q + 0.48 * q * progress - jitter),
  };
}
