// Epoch rows per second through the real ingestion path (applyRunEvents), on a temporary file database
// with the production pragmas. Usage: npm run bench:ingest [-- --rows 100000]

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REFERENCE_RECIPE, type RunEvent } from '@sweeplab/shared';
import {
  applyRunEvents,
  closeDatabase,
  countEpochRows,
  createSweep,
  migrate,
  openDatabase,
} from '../src/index.ts';

const rowsArg = process.argv.indexOf('--rows');
const TOTAL_ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 100_000;
const BATCH_SIZES = [1, 100, 1000];
const RUNS = 100;
const EPOCHS_PER_RUN = Math.ceil(TOTAL_ROWS / RUNS);

function epochEvents(): RunEvent[] {
  const events: RunEvent[] = [];
  // Interleaved across runs, as several workers' events arrive on one stream.
  for (let epoch = 1; epoch <= EPOCHS_PER_RUN; epoch++) {
    for (let r = 0; r < RUNS; r++) {
      events.push({
        type: 'epoch',
        run_id: `run-${r}`,
        attempt: 1,
        worker_id: `worker-${r % 8}`,
        at: 1_735_732_800_000 + epoch * 1000,
        metrics: {
          epoch,
          train_loss: 1 / epoch,
          train_acc: 0.9,
          val_loss: 1.1 / epoch,
          val_acc: 0.95,
          epoch_seconds: 12.5,
          images_per_second: 4800,
        },
      });
    }
  }
  return events;
}

function benchOnce(batchSize: number, rows: number): { seconds: number; rows: number } {
  const dir = mkdtempSync(join(tmpdir(), 'sweeplab-bench-'));
  const db = openDatabase(join(dir, 'bench.db'));
  try {
    migrate(db);
    createSweep(db, {
      name: 'bench',
      method: 'grid',
      config: {},
      runs: Array.from({ length: RUNS }, (_, r) => ({
        id: `run-${r}`,
        params: {
          model: 'cnn',
          dataset: 'mnist',
          lr: 0.1,
          epochs: EPOCHS_PER_RUN,
          batch_size: 64,
          seed: r,
          momentum: 0,
          ...REFERENCE_RECIPE,
        },
      })),
    });
    applyRunEvents(
      db,
      Array.from(
        { length: RUNS },
        (_, r): RunEvent => ({
          type: 'started',
          run_id: `run-${r}`,
          attempt: 1,
          worker_id: `worker-${r % 8}`,
          at: 1_735_732_800_000,
          backend: 'cpu',
          tfjs_version: '4.22.0',
          device: 'bench',
          resumed_from_epoch: 0,
        }),
      ),
    );
    const events = epochEvents().slice(0, rows);
    const start = process.hrtime.bigint();
    for (let i = 0; i < events.length; i += batchSize) {
      const result = applyRunEvents(db, events.slice(i, i + batchSize));
      if (result.applied !== Math.min(batchSize, events.length - i))
        throw new Error('bench batch not applied');
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const stored = countEpochRows(db);
    if (stored !== events.length) throw new Error(`expected ${events.length} rows, found ${stored}`);
    return { seconds, rows: events.length };
  } finally {
    closeDatabase(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `bench:ingest — ${cpu} × ${cpus().length}, Node ${process.version}, ${process.platform}/${process.arch}`,
);
console.log('file database in the OS temp dir, WAL, synchronous=NORMAL; one transaction per batch\n');
console.log('batch size |       rows |  seconds |     rows/s');
console.log('-----------|------------|----------|-----------');
for (const batchSize of BATCH_SIZES) {
  // One transaction per event is slow; a smaller sample keeps the run short without changing the rate.
  const rows = batchSize === 1 ? Math.min(TOTAL_ROWS, 20_000) : TOTAL_ROWS;
  const r = benchOnce(batchSize, rows);
  const rate = Math.round(r.rows / r.seconds);
  console.log(
    `${String(batchSize).padStart(10)} | ${String(r.rows).padStart(10)} | ${r.seconds.toFixed(3).padStart(8)} | ${String(rate).padStart(10)}`,
  );
}
