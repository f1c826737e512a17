// Test support only (not exported from index.ts): a migrated database in a fresh temporary folder.
import { join } from 'node:path';
import { REFERENCE_RECIPE, type RunEvent, type RunParams } from '@sweeplab/shared';
import { tempDir } from '@sweeplab/testing';
import { migrate } from './migrate.ts';
import { closeDatabase, type Db, openDatabase } from './open-database.ts';

export function testDb(label: string): { db: Db; path: string; dir: string; close(): void } {
  const dir = tempDir(label);
  const path = join(dir.path, 'nested', 'orchestrator.db');
  const db = openDatabase(path);
  migrate(db);
  return {
    db,
    path,
    dir: dir.path,
    close() {
      closeDatabase(db);
      dir.remove();
    },
  };
}

export function params(overrides: Partial<RunParams> = {}): RunParams {
  return {
    model: 'cnn',
    dataset: 'mnist',
    lr: 0.1,
    epochs: 3,
    batch_size: 64,
    seed: 0,
    momentum: 0,
    ...REFERENCE_RECIPE,
    ...overrides,
  };
}

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** Terse event builders; `at` is deterministic so timestamps can be asserted. */
export const ev = {
  started: (
    run_id: string,
    attempt = 1,
    extra: { worker_id?: string; resumed_from_epoch?: number; at?: number } = {},
  ): RunEvent => ({
    type: 'started',
    run_id,
    attempt,
    worker_id: extra.worker_id ?? `w${attempt}`,
    at: extra.at ?? T0,
    backend: 'cpu',
    tfjs_version: '4.22.0',
    device: 'test-cpu',
    resumed_from_epoch: extra.resumed_from_epoch ?? 0,
  }),
  epoch: (
    run_id: string,
    epoch: number,
    attempt = 1,
    m: { val_acc?: number; train_loss?: number } = {},
  ): RunEvent => ({
    type: 'epoch',
    run_id,
    attempt,
    worker_id: `w${attempt}`,
    at: T0 + epoch * 1000,
    metrics: {
      epoch,
      train_loss: m.train_loss ?? 1 / epoch,
      train_acc: 0.5,
      val_loss: 0.4,
      val_acc: m.val_acc ?? 0.9,
      epoch_seconds: 2,
      images_per_second: 1000,
    },
  }),
  completed: (run_id: string, attempt = 1, at = T0 + 60_000): RunEvent => ({
    type: 'completed',
    run_id,
    attempt,
    worker_id: `w${attempt}`,
    at,
  }),
  failed: (run_id: string, attempt: number, error: string, will_retry: boolean): RunEvent => ({
    type: 'failed',
    run_id,
    attempt,
    worker_id: `w${attempt}`,
    at: T0 + 30_000,
    error,
    will_retry,
  }),
  cancelled: (run_id: string, attempt = 1): RunEvent => ({
    type: 'cancelled',
    run_id,
    attempt,
    worker_id: `w${attempt}`,
    at: T0 + 40_000,
  }),
};

export { T0 };
