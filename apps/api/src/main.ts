import { ConfigError, createLogger } from '@sweeplab/shared';
import { LeaseRefusedError } from './api-lease.ts';
import { loadApiConfig } from './config.ts';
import { startApi } from './start-api.ts';

let config: ReturnType<typeof loadApiConfig>;
try {
  config = loadApiConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`api: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
const logger = createLogger('api', config.LOG_LEVEL);
let api: Awaited<ReturnType<typeof startApi>>;
try {
  api = await startApi(config, logger);
} catch (err) {
  if (err instanceof LeaseRefusedError) {
    logger.fatal({ reason: err.message }, 'refusing to start: another API holds this REDIS_PREFIX');
    console.error(`api: refusing to start.\n${err.message}`);
    process.exit(1);
  }
  throw err;
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    api.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
