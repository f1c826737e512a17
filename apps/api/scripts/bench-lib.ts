/**
 * Shared pieces of the orchestrator benchmarks: the production cluster (API started by `startApi` in
 * this process, so its commit hook can time each commit; real worker processes on the synthetic
 * trainer; set up and removed by `packages/testing`), CPU accounting per component, and the trials
 * block `bench:queue` and `bench:scale` both run.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg as osLoadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { createLogger } from '@sweeplab/shared';
import { createTestCluster, waitFor } from '@sweeplab/testing';
import type { Redis } from 'ioredis';
import type { ApiContext } from '../src/api-context.ts';
import { loadApiConfig } from '../src/config.ts';
import { type RunningApi, startApi } from '../src/start-api.ts';

/** Measured: one training child (node + tsx + imports) takes ~1 CPU-second and ~75-100 MB to start. */
const CHILD_RSS_BYTES = 110 * 1024 * 1024;

export function intFlags<K extends string>(
  defaults: Record<K, number>,
  help: string,
): Record<K | 'force', number> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' as const }])),
      help: { type: 'boolean' },
      force: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(help);
    process.exit(0);
  }
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as K[]) {
    const raw = (values as Record<string, unknown>)[key];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new Error(`--${key} must be a non-negative integer, got ${raw}`);
    out[key] = n;
  }
  return { ...out, force: values.force ? 1 : 0 };
}

/** Refuses a worker count × concurrency whose training children would not fit in memory. */
export function checkMemory(children: number, force: boolean): void {
  const need = children * CHILD_RSS_BYTES;
  if (need > freemem() * 0.6 && !force) {
    throw new Error(
      `${children} concurrent training children need ~${(need / 2 ** 30).toFixed(1)} GiB, more than 60% of ` +
        `the ${(freemem() / 2 ** 30).toFixed(1)} GiB free; lower --workers/--concurrency or pass --force`,
    );
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join(
    '\n',
  );
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} logical CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${loadavg()}`;
}

/** Other work on the machine skews every number here; print it next to them. */
export function loadavg(): string {
  return `load average ${osLoadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/** CPU seconds of a process (self) and of its reaped children, from /proc (Linux). */
function procCpu(pid: number): { self: number; children: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = 100;
    const n = (i: number) => Number(fields[i - 3] ?? 0) / tick;
    return { self: n(14) + n(15), children: n(16) + n(17) };
  } catch {
    return { self: 0, children: 0 };
  }
}

export interface CpuSample {
  api: number;
  workers: number;
  trainingChildren: number;
  redis: number;
}

export interface BenchCluster {
  url: string;
  ctx: ApiContext;
  prefix: string;
  /** Milliseconds from an epoch event's publication (worker clock) to its commit (same machine). */
  epochCommitLagMs: number[];
  /** Commit time (ms) of each run's terminal event, by run id. */
  finishedCommittedAt: Map<string, number>;
  waitForWorkers(timeoutMs?: number): Promise<void>;
  cpu(): Promise<CpuSample>;
}

export interface BenchClusterOptions {
  label: string;
  workers: number;
  concurrency: number;
  epochMs: number;
  maxRunsPerSweep: number;
  apiEnv?: Record<string, string>;
}

/**
 * The cluster users run, set up by `packages/testing` (a temp folder, a key prefix of its own, real
 * worker processes on the synthetic trainer), with the API in this process, started by the API's own
 * `startApi` (lease, ingester, reconciliation, sweep controller, artifacts: what `npm run api` runs).
 * Its `onEventsCommitted` hook records when each epoch row and each terminal event was committed.
 * The cluster is disposed (processes, keys, folder) however `use` ends, Ctrl-C included.
 */
export async function withBenchCluster<T>(
  options: BenchClusterOptions,
  use: (cluster: BenchCluster) => Promise<T>,
): Promise<T> {
  const epochCommitLagMs: number[] = [];
  const finishedCommittedAt = new Map<string, number>();
  let api: RunningApi | undefined;
  const label = `bench-${options.label}`;
  const fixture = await createTestCluster(label, {
    workers: options.workers,
    keepDir: Boolean(process.env.KEEP_BENCH_DIR),
    apiEnv: {
      LOG_LEVEL: 'warn',
      MAX_RUNS_PER_SWEEP: String(Math.max(1, Math.min(100_000, options.maxRunsPerSweep))),
      BODY_LIMIT_BYTES: String(16 * 1024 * 1024),
      ...options.apiEnv,
    },
    inProcessApi: async (env) => {
      const config = loadApiConfig(env);
      api = await startApi(config, createLogger('bench-api', config.LOG_LEVEL), {
        onEventsCommitted(events, committedAt) {
          // Called right after the batch's transaction committed: the rows are visible to readers now.
          for (const e of events) {
            if (e.type === 'epoch') epochCommitLagMs.push(committedAt - e.at);
            else if (e.type === 'completed' || e.type === 'failed' || e.type === 'cancelled')
              finishedCommittedAt.set(e.run_id, committedAt);
          }
        },
      });
      return api;
    },
    workerEnv: {
      WORKER_TRAINER: 'synthetic',
      SYNTHETIC_EPOCH_MS: String(options.epochMs),
      WORKER_CONCURRENCY: String(options.concurrency),
      WORKER_HEARTBEAT_MS: '1000',
      // Per-epoch info lines would cost CPU the orchestrator does not need; warnings still show.
      LOG_LEVEL: 'warn',
    },
  });
  const { cluster, prefix } = fixture;
  // Ctrl-C must not leave worker processes or keys behind.
  const onSigint = () => {
    fixture.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    // Its own prefix, so a benchmark never takes (or feeds) a deployment's jobs on the same Redis.
    console.log(`Redis ${cluster.redis.url}, key prefix ${prefix} (its own, removed at the end)`);
    const ctx = (api as RunningApi).ctx;
    const workers = cluster.workers.map((w) => w.process);
    const meter = new CpuMeter(ctx.redis, workers);
    // Worker start-up (tsx compiling, connecting) is not per-trial cost: measured from when all are up.
    await meter.reset({ workers: false });
    return await use({
      url: cluster.url,
      ctx,
      prefix,
      epochCommitLagMs,
      finishedCommittedAt,
      async waitForWorkers(timeoutMs = 60_000) {
        await waitFor(
          'every worker heartbeating',
          async () => {
            const dead = cluster.workers.find((w) => w.process.exitCode !== null);
            if (dead) throw new Error(`${dead.name} exited during start; see ${cluster.logPath(dead)}`);
            const alive = await Promise.all(
              cluster.workers.map((w) => ctx.redis.exists(ctx.keys.worker(w.name))),
            );
            return alive.every((a) => a === 1) ? true : undefined;
          },
          timeoutMs,
          100,
        );
        await meter.reset({ workers: true });
      },
      cpu: () => meter.sample(),
    });
  } finally {
    process.off('SIGINT', onSigint);
    await fixture.dispose();
  }
}

/**
 * CPU seconds per component since the last `reset`: this process (the API and ingester), the worker
 * processes, their training children, and Redis.
 */
class CpuMeter {
  private api = process.cpuUsage();
  private workers = { self: 0, children: 0 };
  private redisCpu = 0;

  constructor(
    private readonly redis: Redis,
    private readonly processes: ChildProcess[],
  ) {}

  /** `workers: false` counts the workers from zero (their start-up is still to come). */
  async reset(options: { workers: boolean }): Promise<void> {
    this.workers = options.workers ? this.workerCpu() : { self: 0, children: 0 };
    this.redisCpu = await this.redisCpuNow();
    this.api = process.cpuUsage();
  }

  async sample(): Promise<CpuSample> {
    const api = process.cpuUsage(this.api);
    const workers = this.workerCpu();
    return {
      api: (api.user + api.system) / 1e6,
      workers: workers.self - this.workers.self,
      trainingChildren: workers.children - this.workers.children,
      redis: (await this.redisCpuNow()) - this.redisCpu,
    };
  }

  private workerCpu(): { self: number; children: number } {
    const total = { self: 0, children: 0 };
    for (const w of this.processes) {
      if (w.pid === undefined) continue;
      const c = procCpu(w.pid);
      total.self += c.self;
      total.children += c.children;
    }
    return total;
  }

  private async redisCpuNow(): Promise<number> {
    const info = await this.redis.info('cpu');
    const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return get('used_cpu_user') + get('used_cpu_sys');
  }
}

export interface TrialStats {
  trials: number;
  wallS: number;
  idealS: number;
  trialsPerS: number;
  overheadPct: number;
  queuedToStartedMs: number[];
  pickupToStartedMs: number[];
  slotRefillGapMs: number[];
  epochCommitLagMs: number[];
  submitMs: number;
  cpu: CpuSample;
  failed: number;
}

/**
 * Submits `trials` runs as one grid sweep over seeds and waits until every one is finished and
 * committed. Wall time runs from the POST to the commit of the last run's terminal event.
 */
export async function runTrials(
  cluster: BenchCluster,
  o: { trials: number; epochs: number; epochMs: number; concurrency: number; timeoutS: number },
): Promise<TrialStats> {
  const started = Date.now();
  const response = await fetch(`${cluster.url}/v1/sweeps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `bench ${o.trials} trials`,
      method: 'grid',
      parameters: {
        model: { value: 'cnn' },
        lr: { value: 0.1 },
        epochs: { value: o.epochs },
        seed: { values: Array.from({ length: o.trials }, (_, i) => i) },
      },
    }),
  });
  const submitMs = Date.now() - started;
  if (response.status !== 201) {
    throw new Error(`POST /v1/sweeps answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
  }
  const { id: sweepId } = (await response.json()) as { id: string };
  const db = cluster.ctx.db.$client;
  const deadline = started + o.timeoutS * 1000;
  let lastReport = Date.now();
  for (;;) {
    if (cluster.finishedCommittedAt.size >= o.trials) break;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${o.timeoutS} s with ${cluster.finishedCommittedAt.size}/${o.trials} runs finished`,
      );
    }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      const elapsed = (lastReport - started) / 1000;
      console.error(
        `  … ${cluster.finishedCommittedAt.size}/${o.trials} finished after ${elapsed.toFixed(0)} s`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const end = Math.max(...cluster.finishedCommittedAt.values());
  const cpu = await cluster.cpu();
  const rows = db
    .prepare('SELECT id, status, queued_at, started_at, finished_at FROM runs WHERE sweep_id = ?')
    .all(sweepId) as {
    id: string;
    status: string;
    queued_at: string;
    started_at: string | null;
    finished_at: string | null;
  }[];
  const ms = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);
  const queuedToStartedMs = rows.map((r) => ms(r.started_at) - ms(r.queued_at)).filter(Number.isFinite);

  // When BullMQ handed each job to a worker: the gap to `started` is the time to get the job into a warm child.
  const pipeline = cluster.ctx.redis.pipeline();
  for (const r of rows) pipeline.hget(`${cluster.prefix}:train:${r.id}`, 'processedOn');
  const processedOn = ((await pipeline.exec()) ?? []).map(([, v]) => Number(v));
  const pickupToStartedMs = rows
    .map((r, i) => ms(r.started_at) - (processedOn[i] ?? Number.NaN))
    .filter(Number.isFinite);

  // With C slots, the k-th start could at best happen when the (k−C)-th run finished: the difference is
  // how long a slot sat idle between two trials.
  const starts = rows.map((r) => ms(r.started_at)).sort((a, b) => a - b);
  const finishes = rows.map((r) => ms(r.finished_at)).sort((a, b) => a - b);
  const slotRefillGapMs: number[] = [];
  for (let k = o.concurrency; k < starts.length; k++) {
    slotRefillGapMs.push(Math.max(0, (starts[k] as number) - (finishes[k - o.concurrency] as number)));
  }

  const wallS = (end - started) / 1000;
  const idealS = (o.trials * o.epochs * o.epochMs) / 1000 / o.concurrency;
  return {
    trials: o.trials,
    wallS,
    idealS,
    trialsPerS: o.trials / wallS,
    overheadPct: (wallS / idealS - 1) * 100,
    queuedToStartedMs,
    pickupToStartedMs,
    slotRefillGapMs,
    epochCommitLagMs: [...cluster.epochCommitLagMs],
    submitMs,
    cpu,
    failed: rows.filter((r) => r.status !== 'completed').length,
  };
}

/**
 * The block `bench:queue` and `bench:scale` share: a fresh cluster of `workers` × `concurrency` slots,
 * every worker up, then `trials` trials through it (`runTrials`); the cluster is removed afterwards.
 */
export function benchTrials(
  o: Omit<BenchClusterOptions, 'maxRunsPerSweep'> & { trials: number; epochs: number; timeoutS: number },
): Promise<TrialStats> {
  return withBenchCluster({ ...o, maxRunsPerSweep: o.trials }, async (cluster) => {
    await cluster.waitForWorkers();
    return runTrials(cluster, {
      trials: o.trials,
      epochs: o.epochs,
      epochMs: o.epochMs,
      concurrency: o.workers * o.concurrency,
      timeoutS: o.timeoutS,
    });
  });
}

export function cpuTable(cpu: CpuSample, wallS: number, trials: number): string {
  const cores = cpus().length;
  const rows: [string, number][] = [
    ['API + ingester (this process)', cpu.api],
    ['worker processes (BullMQ, IPC, Redis calls)', cpu.workers],
    ['training children (start-up + synthetic sleep)', cpu.trainingChildren],
    ['redis-server (whole server, all clients)', cpu.redis],
  ];
  const total = rows.reduce((a, [, v]) => a + v, 0);
  return table(
    ['component', 'CPU s', 'CPU ms / trial', `share of ${cores} cores × wall`],
    [
      ...rows.map(([name, v]) => [
        name,
        v.toFixed(1),
        ((v / trials) * 1000).toFixed(1),
        `${((v / (cores * wallS)) * 100).toFixed(0)}%`,
      ]),
      [
        'total',
        total.toFixed(1),
        ((total / trials) * 1000).toFixed(1),
        `${((total / (cores * wallS)) * 100).toFixed(0)}%`,
      ],
    ],
  );
}
