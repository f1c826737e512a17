import { join } from 'node:path';
import type { Db } from '@sweeplab/db';
import { createLogger } from '@sweeplab/shared';
import { deletePrefix, ensureRedis, tempDir, testPrefix } from '@sweeplab/testing';
import type { FastifyInstance } from 'fastify';
import { type ApiContext, createApiContext } from './api-context.ts';
import { buildServer } from './build-server.ts';
import { type ApiConfig, loadApiConfig } from './config.ts';

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
    INGEST_ENABLED: options.ingester ? 'true' : 'false',
    ...options.env,
  });
  const ctx = createApiContext(config, createLogger('api-test', 'silent'), { ingesterBlockMs: 50 });
  // An ingester commits only under the prefix's lease, as in `startApi`.
  if (ctx.ingester) await ctx.lease?.acquire();
  const apps: FastifyInstance[] = [await buildServer(ctx)];
  return {
    app: apps[0]!,
    ctx,
    db: ctx.db,
    async variant(overrides) {
      const app = await buildServer({ ...ctx, config: { ...config, ...overrides } });
      apps.push(app);
      return app;
    },
    async close() {
      for (const app of apps) await app.close();
      await ctx.close();
      await deletePrefix(redisServer.url, prefix);
      await redisServer.stop();
      dir.remove();
    },
  };
}
