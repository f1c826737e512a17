import { REFERENCE_RECIPE } from '@sweeplab/shared';
import type { ReportEpochRow, ReportInput, ReportRunRow } from './report-input.ts';

/**
 * Hand-written rows shared by the tests: a 3-epoch sweep at lr 0.1 (resnet × 3 seeds, cnn × 2
 * seeds + 1 failed, plain × 1 seed) and at lr 0.05 (resnet × 1 seed, cnn still running).
 * Expected values in the tests were computed from these literals with mpmath, not with this package.
 */
type Row = [epoch: number, trainLoss: number, valAcc: number, seconds: number, imagesPerSecond: number];

function run(
  id: string,
  model: string,
  seed: number,
  lr: number,
  status: ReportRunRow['status'],
  extra: Partial<ReportRunRow> = {},
): ReportRunRow {
  return {
    id,
    model,
    dataset: 'mnist',
    lr,
    batch_size: 64,
    momentum: 0,
    seed,
    epochs: 3,
    train_subset: null,
    val_subset: null,
    status,
    backend: 'tensorflow',
    device: 'cpu',
    error: null,
    attempt: 1,
    ...REFERENCE_RECIPE,
    ...extra,
  } as ReportRunRow;
}

function rows(runId: string, list: Row[]): ReportEpochRow[] {
  return list.map(([epoch, train_loss, val_acc, epoch_seconds, images_per_second]) => ({
    run_id: runId,
    epoch,
    train_loss,
    train_acc: 1 - train_loss / 3,
    val_loss: train_loss * 1.1,
    val_acc,
    epoch_seconds,
    images_per_second,
    epoch_lr: 0.1,
  }));
}

export function fixtureInput(): ReportInput {
  return {
    sweep: {
      id: 'sw_1',
      name: 'ResNet vs CNN <script>alert("x")</script> & “résumé” ✓',
      method: 'grid',
      created_at: '2025-11-28T10:00:00.000Z',
      metric: { name: 'val_acc', goal: 'maximize' },
    },
    runs: [
      run('r0', 'resnet', 0, 0.1, 'completed'),
      run('r1', 'resnet', 1, 0.1, 'completed', { backend: 'wasm' }),
      run('r2', 'resnet', 2, 0.1, 'completed'),
      run('c0', 'cnn', 0, 0.1, 'completed'),
      run('c1', 'cnn', 1, 0.1, 'completed'),
      run('c2', 'cnn', 2, 0.1, 'failed', {
        error: 'loss became NaN at batch 412 <diverged> | "lr too high"',
      }),
      run('p0', 'plain', 0, 0.1, 'completed'),
      run('s0', 'resnet', 0, 0.05, 'completed'),
      run('s1', 'cnn', 0, 0.05, 'running'),
    ],
    epochs: [
      ...rows('r0', [
        [1, 0.3, 0.975, 10, 6000],
        [2, 0.08, 0.985, 11, 5500],
        [3, 0.05, 0.991, 12, 5000],
      ]),
      ...rows('r1', [
        [1, 0.28, 0.978, 10, 6000],
        [2, 0.07, 0.9905, 10.5, 6000],
        [3, 0.04, 0.99, 11, 6000],
      ]),
      ...rows('r2', [
        [1, 0.32, 0.97, 11, 5000],
        [2, 0.09, 0.988, 12, 5000],
        [3, 0.06, 0.9921, 13, 5000],
      ]),
      ...rows('c0', [
        [1, 0.5, 0.95, 20, 3000],
        [2, 0.2, 0.975, 20, 3000],
        [3, 0.1, 0.982, 20, 3000],
      ]),
      ...rows('c1', [
        [1, 0.55, 0.94, 22, 2800],
        [2, 0.22, 0.97, 22, 2800],
        [3, 0.12, 0.978, 22, 2800],
      ]),
      ...rows('c2', [[1, 2.3, 0.1135, 21, 2900]]),
      ...rows('p0', [
        [1, 1.444, 0.9469, 10, 6000],
        [2, 0.109, 0.9795, 10, 6000],
        [3, 0.063, 0.9944, 10, 6000],
      ]),
      ...rows('s0', [
        [1, 0.4, 0.96, 10, 6000],
        [2, 0.1, 0.98, 10, 6000],
        [3, 0.07, 0.985, 10, 6000],
      ]),
      ...rows('s1', [[1, 0.6, 0.93, 20, 3000]]),
    ],
  };
}
