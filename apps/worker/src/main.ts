import { ConfigError, createLogger } from '@sweeplab/shared';
import { loadWorkerConfig } from './config.ts';
import { ProgramsConfigError } from './programs.ts';
import { TrainWorker } from './train-worker.ts';

let config: ReturnType<typeof loadWorkerConfig>;
try {
  config = loadWorkerConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`worker: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
const logger = createLogger('worker', config.LOG_LEVEL).child({ workerId: config.workerId });
let worker: TrainWorker;
try {
  worker = new TrainWorker(config, logger);
} catch (err) {
  if (err instanceof ProgramsConfigError) {
    console.error(`worker: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    // Backstop: children are stopped first, so exiting now costs at most the epoch in progress.
    setTimeout(() => {
      logger.warn('shutdown exceeded its grace period; exiting');
      process.exit(0);
    }, config.WORKER_SHUTDOWN_GRACE_MS + 5000).unref();
    worker.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
await worker.start();
