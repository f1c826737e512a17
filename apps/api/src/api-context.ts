import { hostname } from 'node:os';
import { closeDatabase, type Db, databaseId, migrate, openDatabase, runProgram } from '@sweeplab/db';
import {
  closeConnection,
  type Logger,
  type RedisKeys,
  type RunEvent,
  redisKeys,
  settleWithin,
} from '@sweeplab/shared';
import { Redis } from 'ioredis';
import { ApiLease } from './api-lease.ts';
import { ArtifactStore } from './artifact-store.ts';
import { type ApiConfig, artifactsDir } from './config.ts';
import { EventIngester } from './event-ingester.ts';
import { RunQueue } from './run-queue.ts';
import { SweepController } from './sweep-controller/sweep-controller.ts';

/** What every route needs; built once by `createApiContext` and passed to `buildServer`. */
export interface ApiContext {
  config: ApiConfig;
  db: Db;
  redis: Redis;
  keys: RedisKeys;
  queue: RunQueue;
  ingester: EventIngester | null;
  /** This API's lease on the prefix (one writer per deployment); taken by `startApi`. */
  lease: ApiLease | null;
  artifacts: ArtifactStore;
  /** Early termination and incremental proposals; started by `startApi`. */
  sweepController: SweepController;
  logger: Logger;
}

/** Hooks for tests and benchmarks; production passes none. */
export interface ApiContextHooks {
  /** Overrides `INGEST_BLOCK_MS` (tests want a short read so `stop` returns quickly). */
  ingesterBlockMs?: number;
  /**
   * Called after each committed batch, right after the sweep controller saw it (which always does):
   * benchmarks time commits here without wiring an ingester of their own.
   */
  onEventsCommitted?: (events: readonly RunEvent[], committedAt: number) => void;
}

/**
 * Opens and migrates the database and connects Redis (one connection each for commands, the queue
 * and the ingester's blocking reads). The ingester is built but not started. `close` releases it all
 * without ever waiting on a Redis that is down.
 */
export function createApiContext(
  config: ApiConfig,
  logger: Logger,
  hooks: ApiContextHooks = {},
): ApiContext & { close(): Promise<void> } {
  const db = openDatabase(config.DATABASE_PATH);
  migrate(db);
  const keys = redisKeys(config.REDIS_PREFIX);
  const connect = (name: string) => {
    const client = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    client.on('error', (err) => logger.warn({ err, connection: name }, 'redis connection error'));
    return client;
  };
  const redis = connect('commands');
  const queueRedis = connect('queue');
  const ingestRedis = connect('ingester');
  const queue = new RunQueue(
    queueRedis,
    keys,
    redis,
    {
      attempts: config.JOB_ATTEMPTS,
      backoffMs: config.JOB_BACKOFF_MS,
      programOf: (runId) => runProgram(db, runId) ?? undefined,
    },
    logger,
  );
  const lease = new ApiLease(
    redis,
    keys.apiLease,
    { id: databaseId(db), path: config.DATABASE_PATH },
    { ttlMs: config.API_LEASE_TTL_MS, waitMs: config.API_LEASE_TTL_MS + 2_000 },
    logger.child({ component: 'lease' }),
  );
  const artifacts = new ArtifactStore(
    db,
    redis,
    keys,
    artifactsDir(config),
    config.ARTIFACT_KEEP,
    logger.child({ component: 'artifacts' }),
    config.ARTIFACT_WRITE_FAULT,
  );
  const sweepController = new SweepController({
    db,
    queue,
    redis,
    keys,
    config,
    logger: logger.child({ component: 'sweep-controller' }),
  });
  const ingester = config.INGEST_ENABLED
    ? new EventIngester({
        redis: ingestRedis,
        db,
        keys,
        consumer: config.INGEST_CONSUMER ?? `api-${hostname()}`,
        logger: logger.child({ component: 'ingester' }),
        artifacts,
        onCommitted: (events, _result, committedAt) => {
          sweepController.onEventsCommitted(events, committedAt);
          hooks.onEventsCommitted?.(events, committedAt);
        },
        batchSize: config.INGEST_BATCH_SIZE,
        blockMs: hooks.ingesterBlockMs ?? config.INGEST_BLOCK_MS,
        claimIdleMs: config.INGEST_CLAIM_IDLE_MS,
        retainAcked: config.EVENTS_RETAIN_ACKED,
        trimEveryMs: config.EVENTS_TRIM_EVERY_MS,
        backlogWarnMs: config.INGEST_BACKLOG_WARN_MS,
        mayCommit: lease.whyNotHeld,
      })
    : null;
  return {
    config,
    db,
    redis,
    keys,
    queue,
    ingester,
    lease,
    artifacts,
    sweepController,
    logger,
    async close() {
      // A batch in flight either commits or stays pending and is re-read after a restart.
      await settleWithin(ingester?.stop(), 3000);
      await settleWithin(sweepController.stop(), 3000);
      // Released only after the last commit, so a successor can take over at once.
      await settleWithin(lease.release(), 1000);
      await settleWithin(queue.close(), 1000);
      await Promise.allSettled([redis, queueRedis, ingestRedis].map((c) => closeConnection(c)));
      closeDatabase(db);
    },
  };
}
