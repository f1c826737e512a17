/**
 * N synthetic trials through the whole real path: POST /v1/sweeps → SQLite + BullMQ (Redis) → worker
 * processes → warm training children (one per slot) → event stream → ingester → SQLite. Prints throughput,
 * latencies, overhead against the ideal schedule, and where the CPU went.
 *
 *   npm run bench:queue -- --trials 300 --epoch-ms 1000 --epochs 1 --workers 4 --concurrency 8
 */
import { cpus } from 'node:os';
import {
  benchTrials,
  checkMemory,
  cpuTable,
  intFlags,
  loadavg,
  machine,
  percentile,
  table,
} from './bench-lib.ts';

const HELP = `bench-queue: synthetic trials through API → Redis → workers → ingest → SQLite
  --trials N        trials (runs) to push through (default 300; the Ray Tune anchor is 10000)
  --epoch-ms MS     synthetic time per epoch (default 1000)
  --epochs E        epochs per trial (default 1)
  --workers W       worker processes (default 4)
  --concurrency C   WORKER_CONCURRENCY of each worker (default 8)
  --timeout-s S     give up after S seconds (default 1800)
  --force           skip the memory check on W × C training children`;

const flags = intFlags(
  { trials: 300, 'epoch-ms': 1000, epochs: 1, workers: 4, concurrency: 8, 'timeout-s': 1800 },
  HELP,
);
const total = flags.workers * flags.concurrency;
checkMemory(total, flags.force === 1);

console.log(`# bench:queue — ${new Date().toISOString()}`);
console.log(machine());
console.log(
  `${flags.trials} trials × ${flags.epochs} epoch(s) × ${flags['epoch-ms']} ms, ` +
    `${flags.workers} workers × concurrency ${flags.concurrency} = ${total} slots\n`,
);

const s = await benchTrials({
  label: 'queue',
  workers: flags.workers,
  concurrency: flags.concurrency,
  epochMs: flags['epoch-ms'],
  trials: flags.trials,
  epochs: flags.epochs,
  timeoutS: flags['timeout-s'],
});
const ms = (v: number) => `${v.toFixed(0)} ms`;
console.log(
  table(
    ['measure', 'value'],
    [
      ['trials completed', `${s.trials - s.failed}/${s.trials}`],
      ['submit (POST /v1/sweeps, rows + jobs)', ms(s.submitMs)],
      ['wall (POST → last run committed)', `${s.wallS.toFixed(1)} s`],
      ['ideal (N × trial time / slots)', `${s.idealS.toFixed(1)} s`],
      ['overhead vs ideal', `${s.overheadPct.toFixed(1)}%`],
      ['trials/s', s.trialsPerS.toFixed(2)],
      ['ideal trials/s', (total / ((flags.epochs * flags['epoch-ms']) / 1000)).toFixed(2)],
      [
        'enqueue → started p50 / p99 (queued_at → started_at)',
        `${ms(percentile(s.queuedToStartedMs, 50))} / ${ms(percentile(s.queuedToStartedMs, 99))}`,
      ],
      [
        'job pickup → started p50 / p99 (child start-up)',
        `${ms(percentile(s.pickupToStartedMs, 50))} / ${ms(percentile(s.pickupToStartedMs, 99))}`,
      ],
      [
        'slot refill gap p50 / p99',
        `${ms(percentile(s.slotRefillGapMs, 50))} / ${ms(percentile(s.slotRefillGapMs, 99))}`,
      ],
      [
        'epoch event → row committed p50 / p99',
        `${ms(percentile(s.epochCommitLagMs, 50))} / ${ms(percentile(s.epochCommitLagMs, 99))}`,
      ],
    ],
  ),
);
console.log();
console.log(cpuTable(s.cpu, s.wallS, s.trials));
const cpuPerTrial = (s.cpu.api + s.cpu.workers + s.cpu.redis) / s.trials;
console.log(
  `\nWithout the training children, the orchestrator spent ${(cpuPerTrial * 1000).toFixed(1)} CPU ms per trial: ` +
    `a ceiling of ~${(cpus().length / cpuPerTrial).toFixed(0)} trials/s on ${cpus().length} cores.`,
);
console.log(`\n${loadavg()} at the end`);
