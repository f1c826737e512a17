import { ConfigError, createLogger } from '@sweeplab/shared';
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
const api = await startApi(config, logger);
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
