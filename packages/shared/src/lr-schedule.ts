import type { RunParams } from './run-params.ts';

export type LrScheduleParams = Pick<
  RunParams,
  'lr' | 'epochs' | 'lr_schedule' | 'lr_step_epochs' | 'lr_gamma' | 'warmup_epochs'
>;

/**
 * The learning rate epoch `epoch` (1-based) trains at, as PyTorch's schedulers stepped once per epoch:
 * - warmup (LinearLR from 1/(W+1) to 1 over W epochs): epoch e ≤ W trains at lr·e/(W+1);
 * - then, counting t = e − W − 1 from 0 (SequentialLR hands over at epoch W):
 *   constant: lr; step (StepLR): lr·γ^⌊t/lr_step_epochs⌋; cosine (CosineAnnealingLR, T_max = epochs − W,
 *   eta_min 0): lr·(1 + cos(π·t/T_max))/2, which reaches 0 where training ends.
 */
export function learningRateAt(params: LrScheduleParams, epoch: number): number {
  const { lr, epochs, warmup_epochs: warmup } = params;
  if (epoch <= warmup) return (lr * epoch) / (warmup + 1);
  const t = epoch - warmup - 1;
  switch (params.lr_schedule) {
    case 'constant':
      return lr;
    case 'step':
      return lr * params.lr_gamma ** Math.floor(t / (params.lr_step_epochs ?? Number.POSITIVE_INFINITY));
    case 'cosine':
      return (lr * (1 + Math.cos((Math.PI * t) / (epochs - warmup)))) / 2;
  }
}
