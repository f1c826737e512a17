import type { Logger } from '@sweeplab/shared';
import { type ApiContext, type ApiContextHooks, createApiContext } from './api-context.ts';
import { buildServer } from './build-server.ts';
import type { ApiConfig } from './config.ts';
import { reconcileQueue } from './reconcile-queue.ts';

export interface RunningApi {
  ctx: ApiContext;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens and migrates the database, connects Redis, takes the prefix's lease (or refuses to start with
 * LeaseRefusedError), starts the ingester, reconciles, and listens. `main.ts` passes no hooks;
 * benchmarks start the same API in their own process with hooks that time commits.
 */
export async function startApi(
  config: ApiConfig,
  logger: Logger,
  hooks: ApiContextHooks = {},
): Promise<RunningApi> {
  const ctx = createApiContext(config, logger, hooks);
  try {
    if (ctx.ingester) await ctx.lease?.acquire();
    else await ctx.lease?.checkCompatible();
  } catch (err) {
    await ctx.close();
    throw err;
  }
  logger.info({ lease: ctx.lease?.holder, ingesting: ctx.ingester !== null }, 'prefix lease checked');
  await ctx.ingester?.start();
  await reconcileQueue(ctx);
  ctx.sweepController.start();
  // Keep reconciling: a run written while Redis was down gets its job once Redis is back.
  const reconciler = setInterval(() => {
    reconcileQueue(ctx).catch((err: Error) => logger.warn({ err }, 'reconciliation failed'));
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
      await ctx.close();
    },
  };
}
