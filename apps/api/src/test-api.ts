import { join } from 'node:path';
import { closeDatabase, type Db, migrate, openDatabase } from '@sweeplab/db';
import { closeConnection, createLogger, redisKeys } from '@sweeplab/shared';
import { deletePrefix, ensureRedis, tempDir, testPrefix } from '@sweeplab/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { ApiContext } from './api-context.ts';
import { buildServer } from './build-server.ts';
import { type ApiConfig, loadApiConfig } from './config.ts';
import { EventIngester } from './event-ingester.ts';
import { RunQueue } from './run-queue.ts';

export interface TestApi {
  app: FastifyInstance;
  ctx: ApiContext;
  db: Db;
  /** Builds another server on the same database and queue with other settings (e.g. API_TOKEN). */
  variant(config: Partial<ApiConfig>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

/**
 * The API in-process for tests (requests through `app.inject`), on a temporary SQLite file and a real
 * Redis under its own key prefix; `close` removes all of it. `ingester: true` adds a real ingester.
 */
export async function createTestApi(
  label: string,
  options: { env?: Record<string, string>; ingester?: boolean } = {},
): Promise<TestApi> {
  const dir = tempDir(label);
  const redisServer = await ensureRedis();
  const prefix = testPrefix(label);
  const config = loadApiConfig({
    DATABASE_PATH: join(dir.path, 'orchestrator.db'),
    REDIS_URL: redisServer.url,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const db = openDatabase(config.DATABASE_PATH);
  migrate(db);
  const keys = redisKeys(prefix);
  const logger = createLogger('api-test', 'silent');
  const connections = [0, 1, 2].map(() => new Redis(redisServer.url, { maxRetriesPerRequest: null }));
  const [redis, queueConnection, ingestConnection] = connections as [Redis, Redis, Redis];
  const queue = new RunQueue(
    queueConnection,
    keys,
    redis,
    { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS },
    logger,
  );
  const ingester = options.ingester
    ? new EventIngester(
        ingestConnection,
        db,
        keys,
        'test-ingester',
        { batchSize: config.INGEST_BATCH_SIZE, blockMs: 50 },
        logger,
      )
    : null;
  const ctx: ApiContext = { config, db, redis, keys, queue, ingester, logger };
  const apps: FastifyInstance[] = [await buildServer(ctx)];
  return {
    app: apps[0]!,
    ctx,
    db,
    async variant(overrides) {
      const app = await buildServer({ ...ctx, config: { ...config, ...overrides } });
      apps.push(app);
      return app;
    },
    async close() {
      for (const app of apps) await app.close();
      await ingester?.stop();
      await queue.close();
      await Promise.allSettled(connections.map((c) => closeConnection(c)));
      closeDatabase(db);
      await deletePrefix(redisServer.url, prefix);
      await redisServer.stop();
      dir.remove();
    },
  };
}
