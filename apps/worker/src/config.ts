import { hostname } from 'node:os';
import { commonEnv, env, loadEnv, trainingEnv } from '@sweeplab/shared';
import { z } from 'zod';

/**
 * Worker configuration, from environment variables only: a worker on another machine needs nothing
 * but REDIS_URL. Lock and stall settings are tuned for epoch-long work: training runs in a child
 * process, so the worker's event loop is free to renew its job locks every lockDuration/2.
 */
export const WorkerEnv = z.object({
  ...commonEnv,
  ...trainingEnv,
  /** Stable identity in heartbeats and logs; defaults to `<host>-<pid>`. */
  WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits and _ . -')
    .optional(),
  /** Comma-separated GPU ids; one slot (one concurrent run) per GPU, each child sees only its GPU. */
  WORKER_GPUS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be a comma-separated list of GPU ids, e.g. 0,1')
    .optional(),
  /** Concurrent runs when WORKER_GPUS is unset (one child process each; use one per CPU core). */
  WORKER_CONCURRENCY: env.intFromEnv(1, 256).default(1),
  /** How long a job lock lasts without renewal; a crashed worker's job is recoverable after this. */
  WORKER_LOCK_DURATION_MS: env.intFromEnv(1000).default(30_000),
  /** How often this worker looks for stalled jobs (jobs whose worker died) to move back to the queue. */
  WORKER_STALLED_INTERVAL_MS: env.intFromEnv(1000).default(30_000),
  /** Stalls (worker deaths) a run survives before it is failed. */
  WORKER_MAX_STALLED_COUNT: env.intFromEnv(0, 100).default(3),
  WORKER_HEARTBEAT_MS: env.intFromEnv(100).default(5_000),
  /** On SIGTERM/SIGINT, how long running children get to stop before they are killed. */
  WORKER_SHUTDOWN_GRACE_MS: env.intFromEnv(100).default(10_000),
  /**
   * A job whose payload schema version this worker does not understand (written by an API of another
   * version) goes back to the queue for this long, for a worker that does; it is never trained.
   */
  WORKER_VERSION_MISMATCH_DELAY_MS: env.intFromEnv(100).default(10_000),
  /** How long a checkpoint of an unfinished run is kept in Redis. */
  CHECKPOINT_TTL_MS: env.intFromEnv(60_000).default(7 * 24 * 3600 * 1000),
  /**
   * `tfjs` trains for real. `synthetic` sleeps SYNTHETIC_EPOCH_MS per epoch and reports made-up
   * metrics: it measures the orchestrator itself (benchmarks, fault tests), never a model.
   */
  WORKER_TRAINER: z.enum(['tfjs', 'synthetic']).default('tfjs'),
  SYNTHETIC_EPOCH_MS: env.intFromEnv(0).default(1000),
  /**
   * Fault injection for the synthetic trainer (tests only): `throw@E`, `exit@E` or `oom@E` makes the
   * child fail at epoch E, optionally only for runs with one seed (`exit@2:seed=7`).
   */
  SYNTHETIC_FAULT: z
    .string()
    .regex(/^(throw|exit|oom)@\d+(:seed=\d+)?$/, 'must look like throw@2, exit@1 or oom@3:seed=7')
    .optional(),
  /**
   * Jobs one warm training child runs before it is replaced; bounds whatever a long-lived TF.js
   * process might accumulate, while sparing each job Node's start-up and the dataset loading.
   */
  CHILD_MAX_JOBS: env.intFromEnv(1, 100_000).default(500),
  /**
   * Programs this worker runs (issue #21): a JSON programs file (`{"programs": {"<name>": {"path": …,
   * "cwd"?, "interpreter"?, "env"?}}}`) and/or a folder whose every file is a program named by its
   * relative path. Nothing else is ever run.
   */
  WORKER_PROGRAMS_FILE: z.string().min(1).optional(),
  WORKER_PROGRAMS_DIR: z.string().min(1).optional(),
  /** Whether this worker also trains the built-in networks; `auto`: only when it lists no programs. */
  WORKER_BUILTIN: z.enum(['auto', 'true', 'false']).default('auto'),
  /** A program told to stop (hyperband, cancel, shutdown) gets SIGTERM, then SIGKILL this much later (W&B's 30 s). */
  WORKER_STOP_GRACE_MS: env.intFromEnv(0).default(30_000),
  /** V8 heap limit of each training child, in MiB; unset leaves Node's default. */
  CHILD_MAX_OLD_SPACE_MB: env.intFromEnv(16).optional(),
});
export type WorkerConfig = z.infer<typeof WorkerEnv> & { workerId: string; slots: Slot[] };

export interface Slot {
  name: string;
  /** Set for GPU slots: the child's CUDA_VISIBLE_DEVICES. */
  gpu: string | null;
}

export function loadWorkerConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  const cfg = loadEnv(WorkerEnv, source);
  const gpus = cfg.WORKER_GPUS?.split(',').map((g) => g.trim()) ?? [];
  const slots: Slot[] =
    gpus.length > 0
      ? gpus.map((gpu) => ({ name: `gpu${gpu}`, gpu }))
      : Array.from({ length: cfg.WORKER_CONCURRENCY }, (_, i) => ({ name: `cpu${i}`, gpu: null }));
  return { ...cfg, workerId: cfg.WORKER_ID ?? `${hostname()}-${process.pid}`, slots };
}
