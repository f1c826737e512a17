/**
 * Scale-out: the same synthetic workload on 1, 2 and 4 worker processes (same concurrency per worker),
 * with the CPU each component used, to show where throughput stops growing and why.
 *
 *   npm run bench:scale -- --trials 80 --epoch-ms 1000 --concurrency 4
 */
import { cpus } from 'node:os';
import { benchTrials, checkMemory, intFlags, loadavg, machine, percentile, table } from './bench-lib.ts';

const HELP = `bench-scale: throughput of 1, 2 and 4 worker processes on the synthetic workload
  --trials N        trials per worker count (default 80)
  --epoch-ms MS     synthetic time per epoch (default 1000)
  --epochs E        epochs per trial (default 1)
  --concurrency C   WORKER_CONCURRENCY of each worker (default 4)
  --timeout-s S     give up on one worker count after S seconds (default 900)
  --force           skip the memory check`;

const flags = intFlags({ trials: 80, 'epoch-ms': 1000, epochs: 1, concurrency: 4, 'timeout-s': 900 }, HELP);
const counts = [1, 2, 4];
checkMemory(Math.max(...counts) * flags.concurrency, flags.force === 1);

console.log(`# bench:scale — ${new Date().toISOString()}`);
console.log(machine());
console.log(
  `${flags.trials} trials × ${flags.epochs} epoch(s) × ${flags['epoch-ms']} ms per worker count; ` +
    `concurrency ${flags.concurrency} per worker\n`,
);

const rows: (string | number)[][] = [];
for (const workers of counts) {
  const slots = workers * flags.concurrency;
  console.error(`${workers} worker(s), ${slots} slots …`);
  const s = await benchTrials({
    label: `scale-${workers}`,
    workers,
    concurrency: flags.concurrency,
    epochMs: flags['epoch-ms'],
    trials: flags.trials,
    epochs: flags.epochs,
    timeoutS: flags['timeout-s'],
  });
  const busy = (v: number) => `${((v / (cpus().length * s.wallS)) * 100).toFixed(0)}%`;
  rows.push([
    workers,
    slots,
    s.trialsPerS.toFixed(2),
    (slots / ((flags.epochs * flags['epoch-ms']) / 1000)).toFixed(2),
    `${s.overheadPct.toFixed(0)}%`,
    `${percentile(s.pickupToStartedMs, 50).toFixed(0)} / ${percentile(s.pickupToStartedMs, 99).toFixed(0)}`,
    `${percentile(s.epochCommitLagMs, 99).toFixed(0)}`,
    busy(s.cpu.trainingChildren),
    busy(s.cpu.workers),
    busy(s.cpu.api),
    busy(s.cpu.redis),
  ]);
}
console.log(
  table(
    [
      'workers',
      'slots',
      'trials/s',
      'ideal trials/s',
      'overhead',
      'child start p50/p99 ms',
      'event→row p99 ms',
      'CPU: children',
      'CPU: workers',
      'CPU: API+ingest',
      'CPU: redis',
    ],
    rows,
  ),
);
console.log(`\nCPU columns: share of ${cpus().length} cores × wall time. ${loadavg()} at the end.`);
