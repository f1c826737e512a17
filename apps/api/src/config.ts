import { dirname, join } from 'node:path';
import { commonEnv, env, loadEnv, RUN_PARAM_LIMITS, resolveUserPath } from '@sweeplab/shared';
import { z } from 'zod';

/** API configuration, from environment variables only (see the README's configuration table). */
export const ApiEnv = z.object({
  ...commonEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: env.intFromEnv(0, 65535).default(8080),
  /** The SQLite metrics store; created (with its folder) and migrated at start. */
  DATABASE_PATH: z
    .string()
    .default('./data/orchestrator.db')
    .transform((p) => resolveUserPath(p)),
  /** Where artifact files (trained weights) are kept; default: `artifacts/` beside DATABASE_PATH. */
  ARTIFACTS_DIR: z
    .string()
    .optional()
    .transform((p) => (p === undefined ? undefined : resolveUserPath(p))),
  /** Which weights to keep: `all` (final and best), `best` only or `final` only. */
  ARTIFACT_KEEP: z.enum(['all', 'best', 'final'], { message: 'must be all, best or final' }).default('all'),
  /** Tests only: `kill-mid-write` makes the API SIGKILL itself half-way through an artifact file. */
  ARTIFACT_WRITE_FAULT: z.enum(['kill-mid-write']).optional(),
  /** When set, every mutating endpoint requires `Authorization: Bearer <API_TOKEN>`. */
  API_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  MAX_EPOCHS: env.intFromEnv(1, RUN_PARAM_LIMITS.maxEpochs).default(1000),
  MAX_RUNS_PER_SWEEP: env.intFromEnv(1, 100_000).default(1000),
  /** Largest accepted request body, in bytes. */
  BODY_LIMIT_BYTES: env.intFromEnv(1024).default(1024 * 1024),
  /** BullMQ attempts per run for infrastructure failures (crashed child, lost worker). */
  JOB_ATTEMPTS: env.intFromEnv(1, 100).default(3),
  /** First retry delay; doubles each retry (exponential backoff). */
  JOB_BACKOFF_MS: env.intFromEnv(0).default(5_000),
  /** Events the ingester reads and commits in one SQLite transaction. */
  INGEST_BATCH_SIZE: env.intFromEnv(1, 10_000).default(500),
  /** How long one stream read waits for new events. */
  INGEST_BLOCK_MS: env.intFromEnv(1, 60_000).default(1_000),
  /**
   * This API's consumer name in the events consumer group; stable across restarts (default
   * `api-<hostname>`), so a restarted API finds what it had read and not yet committed.
   */
  INGEST_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'may contain only letters, digits and _ . : -')
    .optional(),
  /** Entries another consumer read and left unacknowledged this long are taken over (it died). */
  INGEST_CLAIM_IDLE_MS: env.intFromEnv(100).default(10_000),
  /**
   * Lifetime of the ingesting API's lease on REDIS_PREFIX (renewed every third of it). A successor on
   * the same database takes over this long after a holder died on another host; at once on this host.
   */
  API_LEASE_TTL_MS: env.intFromEnv(300, 600_000).default(15_000),
  /** Acknowledged entries kept in the events stream; nothing unacknowledged is ever trimmed. */
  EVENTS_RETAIN_ACKED: env.intFromEnv(0).default(10_000),
  /** How often the ingester trims the events stream and measures its backlog. */
  EVENTS_TRIM_EVERY_MS: env.intFromEnv(100).default(5_000),
  /** Warn in the log while the oldest unacknowledged event is older than this. */
  INGEST_BACKLOG_WARN_MS: env.intFromEnv(1000).default(60_000),
  /** Run the ingester in this process (turn off to run API replicas that only serve reads). */
  INGEST_ENABLED: env.booleanFromEnv.default(true),
});
export type ApiConfig = z.infer<typeof ApiEnv>;

/** The artifacts folder: ARTIFACTS_DIR, else `artifacts/` beside the SQLite file. */
export function artifactsDir(config: ApiConfig): string {
  return config.ARTIFACTS_DIR ?? join(dirname(config.DATABASE_PATH), 'artifacts');
}

export function loadApiConfig(source: Record<string, string | undefined> = process.env): ApiConfig {
  return loadEnv(ApiEnv, source);
}
