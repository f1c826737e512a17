import { join } from 'node:path';
import { after, before } from 'node:test';
import { deletePrefix, LocalCluster, tempDir, testPrefix } from '@sweeplab/testing';

/**
 * One API and `workers` workers on the synthetic trainer (epochs of `epochMs`), a real Redis under a
 * prefix of its own and a SQLite file, started before this file's tests and removed after them
 * (KEEP_TEST_DIR keeps the folder and its logs). Returns the running cluster's getter.
 */
export function useSyntheticCluster(
  name: string,
  options: { workers: number; epochMs: number; workerEnv?: Record<string, string> },
): () => LocalCluster {
  let cluster: LocalCluster | undefined;
  const dir = tempDir(name);
  const prefix = testPrefix(name);
  before(async () => {
    cluster = await LocalCluster.start({
      prefix,
      databasePath: join(dir.path, 'orchestrator.db'),
      workers: options.workers,
      logDir: join(dir.path, 'logs'),
      workerEnv: {
        WORKER_TRAINER: 'synthetic',
        SYNTHETIC_EPOCH_MS: String(options.epochMs),
        WORKER_HEARTBEAT_MS: '500',
        ...options.workerEnv,
      },
    });
  });
  after(async () => {
    if (!cluster) return;
    await cluster.stop();
    await deletePrefix(cluster.redis.url, prefix);
    if (!process.env.KEEP_TEST_DIR) dir.remove();
    else console.error(`kept ${dir.path}`);
  });
  return () => {
    if (!cluster) throw new Error(`the ${name} cluster is not started`);
    return cluster;
  };
}
