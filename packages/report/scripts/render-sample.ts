/**
 * Builds a report from a realistic synthetic sweep (3 models × 3 seeds × 30 epochs of MNIST-shaped
 * curves, plus one diverged run) and writes every format to test-artifacts/, to look at the HTML
 * the way a reader will. Deterministic: the same seed gives the same file.
 *   npx tsx scripts/render-sample.ts [out-dir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createPrng, REFERENCE_RECIPE } from '@sweeplab/shared';
import {
  buildReport,
  type ReportEpochRow,
  type ReportInput,
  type ReportRunRow,
  renderCsv,
  renderHtml,
  renderMarkdown,
} from '../src/index.ts';

interface Shape {
  firstLoss: number;
  lastLoss: number;
  firstErr: number;
  lastErr: number;
  /** Chance per epoch of a validation dip (lr 0.1 without batch norm is jumpy). */
  dipRate: number;
  imagesPerSecond: number;
}

const SHAPES: Record<string, Shape> = {
  cnn: {
    firstLoss: 0.42,
    lastLoss: 0.004,
    firstErr: 0.032,
    lastErr: 0.0095,
    dipRate: 0.05,
    imagesPerSecond: 430,
  },
  resnet: {
    firstLoss: 0.27,
    lastLoss: 0.0015,
    firstErr: 0.021,
    lastErr: 0.0068,
    dipRate: 0.06,
    imagesPerSecond: 700,
  },
  plain: {
    firstLoss: 1.44,
    lastLoss: 0.006,
    firstErr: 0.053,
    lastErr: 0.0105,
    dipRate: 0.12,
    imagesPerSecond: 690,
  },
};

function curve(model: string, seed: number, epochs: number, runId: string): ReportEpochRow[] {
  const s = SHAPES[model]!;
  const prng = createPrng(seed, model);
  const rand = () => prng.next();
  const rows: ReportEpochRow[] = [];
  for (let e = 1; e <= epochs; e++) {
    const progress = (e - 1) / 29;
    const loss = s.firstLoss * (s.lastLoss / s.firstLoss) ** (progress ** 0.55) * (1 + 0.12 * (rand() - 0.5));
    let err = s.firstErr * (s.lastErr / s.firstErr) ** (progress ** 0.6) * (1 + 0.25 * (rand() - 0.5));
    if (e > 1 && rand() < s.dipRate) err += 0.004 + 0.02 * rand();
    const valAcc = Math.round((1 - err) * 10_000) / 10_000;
    const ips = s.imagesPerSecond * (1 + 0.06 * (rand() - 0.5)) * (e === 1 ? 0.9 : 1);
    rows.push({
      run_id: runId,
      epoch: e,
      train_loss: loss,
      train_acc: Math.min(1, 1 - loss / 3),
      val_loss: err * 3,
      val_acc: valAcc,
      epoch_seconds: 60_000 / ips,
      images_per_second: ips,
      epoch_lr: 0.1,
    });
  }
  return rows;
}

export function sampleInput(): ReportInput {
  const runs: ReportRunRow[] = [];
  const epochs: ReportEpochRow[] = [];
  const base = {
    dataset: 'mnist',
    lr: 0.1,
    batch_size: 64,
    momentum: 0,
    ...REFERENCE_RECIPE,
    epochs: 30,
    train_subset: null,
    val_subset: null,
    device: 'cpu (2 cores)',
    error: null,
    attempt: 1,
  };
  for (const model of ['cnn', 'resnet', 'plain']) {
    for (const seed of [0, 1, 2]) {
      const id = `run_${model}_${seed}`;
      runs.push({ ...base, id, model, seed, status: 'completed', backend: 'tensorflow' });
      epochs.push(...curve(model, seed, 30, id));
    }
  }
  // One diverged run, to show how failures are reported rather than dropped.
  runs.push({
    ...base,
    id: 'run_plain_3',
    model: 'plain',
    seed: 3,
    status: 'failed',
    backend: 'wasm',
    error: 'training loss became NaN at epoch 7, batch 412 (lr 0.1 without shortcuts diverged)',
  });
  epochs.push(...curve('plain', 3, 6, 'run_plain_3'));
  return {
    sweep: {
      id: 'swp_01JC9R2S8M',
      name: 'ResNet vs traditional CNN on MNIST — He et al. reproduction <v1>',
      method: 'grid',
      created_at: '2025-11-28T09:12:44.000Z',
      metric: { name: 'val_acc', goal: 'maximize' },
    },
    runs,
    epochs,
  };
}

const outDir = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'test-artifacts'));
mkdirSync(outDir, { recursive: true });
const report = buildReport(sampleInput());
writeFileSync(join(outDir, 'sample-report.html'), renderHtml(report));
writeFileSync(join(outDir, 'sample-report.md'), renderMarkdown(report));
writeFileSync(join(outDir, 'sample-report.csv'), renderCsv(report));
writeFileSync(join(outDir, 'sample-report.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${join(outDir, 'sample-report.html')} (+ .md, .csv, .json)`);
