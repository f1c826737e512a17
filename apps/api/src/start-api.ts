import { hostname } from 'node:os';
import { closeDatabase, listQueuedRunIds, migrate, openDatabase } from '@sweeplab/db';
import { closeConnection, type Logger, redisKeys, settleWithin } from '@sweeplab/shared';
import { Redis } from 'ioredis';
import type { ApiContext } from './api-context.ts';
import { buildServer } from './build-server.ts';
import type { ApiConfig } from './config.ts';
import { EventIngester } from './event-ingester.ts';
import { RunQueue } from './run-queue.ts';

export interface RunningApi {
  ctx: ApiContext;
  url: string;
  close(): Promise<void>;
}

/**
 * Re-enqueues runs that SQLite says are queued but Redis has no job for (Redis lost its data, or the
 * API died between writing the row and adding the job). Adding is idempotent, so racing is harmless.
 */
export async function reconcileQueue(ctx: ApiContext): Promise<string[]> {
  const queued = listQueuedRunIds(ctx.db);
  const missing = await ctx.queue.missing(queued);
  if (missing.length === 0) return [];
  const { getRun } = await import('@sweeplab/db');
  const payloads = missing.flatMap((id) => {
    const run = getRun(ctx.db, id);
    if (!run) return [];
    const params = {
      model: run.model,
      dataset: run.dataset,
      lr: run.lr,
      epochs: run.epochs,
      batch_size: run.batch_size,
      seed: run.seed,
      momentum: run.momentum,
      ...(run.train_subset !== null ? { train_subset: run.train_subset } : {}),
      ...(run.val_subset !== null ? { val_subset: run.val_subset } : {}),
    };
    return [{ run_id: id, sweep_id: run.sweep_id, params }];
  });
  await ctx.queue.enqueue(payloads);
  ctx.logger.warn(
    { runs: missing.length, runIds: missing.slice(0, 20) },
    're-enqueued queued runs missing from Redis',
  );
  return missing;
}

/** Opens and migrates the database, connects Redis, starts the ingester, reconciles, and listens. */
export async function startApi(config: ApiConfig, logger: Logger): Promise<RunningApi> {
  const db = openDatabase(config.DATABASE_PATH);
  migrate(db);
  const keys = redisKeys(config.REDIS_PREFIX);
  const connect = (name: string) => {
    const client = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    client.on('error', (err) =>
      logger.warn({ err: err.message, connection: name }, 'redis connection error'),
    );
    return client;
  };
  const redis = connect('commands');
  const ingestRedis = connect('ingester');
  const queue = new RunQueue(
    connect('queue'),
    keys,
    redis,
    { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS },
    logger,
  );
  const ingester = config.INGEST_ENABLED
    ? new EventIngester(
        ingestRedis,
        db,
        keys,
        `api-${hostname()}-${process.pid}`,
        { batchSize: config.INGEST_BATCH_SIZE, blockMs: config.INGEST_BLOCK_MS },
        logger.child({ component: 'ingester' }),
      )
    : null;
  const ctx: ApiContext = { config, db, redis, keys, queue, ingester, logger };

  await ingester?.start();
  await reconcileQueue(ctx);
  // Keep reconciling: a run written while Redis was down gets its job once Redis is back.
  const reconciler = setInterval(() => {
    reconcileQueue(ctx).catch((err: Error) => logger.warn({ err: err.message }, 'reconciliation failed'));
  }, 30_000);
  reconciler.unref();

  const app = await buildServer(ctx);
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  logger.info(
    { url: address, database: config.DATABASE_PATH, redis: config.REDIS_URL.replace(/\/\/.*@/, '//***@') },
    'api ready',
  );

  return {
    ctx,
    url: address,
    async close() {
      clearInterval(reconciler);
      await app.close();
      // A batch in flight either commits or stays pending and is re-read after the restart.
      await settleWithin(ingester?.stop(), 3000);
      await settleWithin(queue.close(), 1000);
      await Promise.allSettled([closeConnection(redis), closeConnection(ingestRedis)]);
      closeDatabase(db);
    },
  };
}
