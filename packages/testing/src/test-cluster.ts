import { join } from 'node:path';
import { after } from 'node:test';
import { LocalCluster, type LocalClusterOptions } from './local-cluster.ts';
import { tempDir } from './temp-dir.ts';
import { deletePrefix, testPrefix } from './test-prefix.ts';

/** A LocalCluster's options less what the fixture provides: a temp folder and a key prefix of its own. */
export type TestClusterOptions = Omit<LocalClusterOptions, 'prefix' | 'databasePath' | 'logDir'> & {
  /** Keep the temp folder (database, logs) after the cluster stops, and say where it is. */
  keepDir?: boolean;
  /** Runs before any process starts, e.g. to seed the database the API will open. */
  prepare?: (paths: { databasePath: string }) => void | Promise<void>;
};

/** A running LocalCluster and what disposes of it. */
export interface TestCluster {
  cluster: LocalCluster;
  /** The temp folder: `orchestrator.db`, `logs/`. */
  dir: string;
  prefix: string;
  /** Stops the processes, deletes the Redis keys under the prefix and removes the folder. */
  dispose(): Promise<void>;
}

/**
 * The one set-up of a cluster for system tests and benchmarks: a temp folder (SQLite file, process
 * logs), a Redis key prefix of its own, and a LocalCluster on them; `dispose` removes all of it.
 * Shaped after trigger.dev's test fixtures (internal-packages/testcontainers/src/index.ts: set up,
 * hand over, tear down in `finally`), here as plain functions: `withTestCluster` for a script,
 * `startTestCluster` for a node:test file.
 */
export async function createTestCluster(label: string, options: TestClusterOptions): Promise<TestCluster> {
  const { keepDir, prepare, ...clusterOptions } = options;
  const dir = tempDir(label);
  const prefix = testPrefix(label);
  const databasePath = join(dir.path, 'orchestrator.db');
  let cluster: LocalCluster;
  try {
    await prepare?.({ databasePath });
    cluster = await LocalCluster.start({
      ...clusterOptions,
      prefix,
      databasePath,
      logDir: join(dir.path, 'logs'),
    });
  } catch (err) {
    console.error(`cluster ${label} did not start; its logs are in ${dir.path}`);
    throw err;
  }
  let disposed: Promise<void> | undefined;
  return {
    cluster,
    dir: dir.path,
    prefix,
    dispose() {
      disposed ??= (async () => {
        await cluster.stop();
        // A redis-server the cluster stopped took its keys with it (then this cannot connect).
        await deletePrefix(cluster.redis.url, prefix).catch(() => {});
        if (keepDir || process.env.KEEP_TEST_DIR) console.error(`kept ${dir.path}`);
        else dir.remove();
      })();
      return disposed;
    },
  };
}

/** A cluster for the duration of `use`, disposed however `use` ends. */
export async function withTestCluster<T>(
  label: string,
  options: TestClusterOptions,
  use: (cluster: LocalCluster, fixture: TestCluster) => Promise<T>,
): Promise<T> {
  const fixture = await createTestCluster(label, options);
  try {
    return await use(fixture.cluster, fixture);
  } finally {
    await fixture.dispose();
  }
}

/**
 * A cluster for the rest of a test file, disposed when its tests are done (node:test `after`). Call
 * it at the top level of the file (`const { cluster } = await startTestCluster(...)`) or inside one
 * test: `after` registered from a `before` hook would run right after that hook.
 */
export async function startTestCluster(label: string, options: TestClusterOptions): Promise<TestCluster> {
  const fixture = await createTestCluster(label, options);
  after(() => fixture.dispose());
  return fixture;
}
