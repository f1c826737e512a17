import { hostname } from 'node:os';
import { closeDatabase, migrate, openDatabase } from '@sweeplab/db';
import { closeConnection, type Logger, redisKeys, settleWithin } from '@sweeplab/shared';
import { Redis } from 'ioredis';
import type { ApiContext } from './api-context.ts';
import { buildServer } from './build-server.ts';
import type { ApiConfig } from './config.ts';
import { EventIngester } from './event-ingester.ts';
import { reconcileQueue } from './reconcile-queue.ts';
import { RunQueue } from './run-queue.ts';

export interface RunningApi {
  ctx: ApiContext;
  url: string;
  close(): Promise<void>;
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
