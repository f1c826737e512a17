import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closeDatabase, databaseId, openDatabase } from '@sweeplab/db';
import { type RunEvent, redisKeys, serializeRunEvent } from '@sweeplab/shared';
import { freePort, LocalCluster, startRedisServer, tempDir, waitFor } from '@sweeplab/testing';
import {
  epochNumbers,
  getRunView,
  postRun,
  startFaultCluster,
  waitForRun,
} from '@sweeplab/testing/fault-cluster';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Starts an API process the test expects to exit; resolves with its exit code and output. */
function runApiExpectingExit(env: Record<string, string>, timeoutMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'apps/api/src/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

async function readyz(cluster: LocalCluster) {
  return cluster.fetchJson<{ ready: boolean; checks: Record<string, string> }>('/readyz');
}

async function metric(cluster: LocalCluster, name: string): Promise<number> {
  const text = await (await fetch(`${cluster.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`/metrics has no ${name}`);
  return Number(line.split(' ')[1]);
}

test('a second API on the same prefix with another database refuses to start and writes nothing', async () => {
  const cluster = await startFaultCluster('second-api', {
    workers: 1,
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '100' },
  });
  const dir = tempDir('second-api-db');
  after(() => dir.remove());
  const keys = redisKeys(cluster.options.prefix);
  const redis = new Redis(cluster.redis.url);
  after(() => redis.disconnect());
  const leaseBefore = await redis.get(keys.apiLease);
  const otherDb = join(dir.path, 'other.db');

  const second = await runApiExpectingExit(
    {
      REDIS_URL: cluster.redis.url,
      REDIS_PREFIX: cluster.options.prefix,
      DATABASE_PATH: otherDb,
      PORT: String(await freePort()),
      INGEST_CONSUMER: 'api-intruder',
    },
    60_000,
  );
  assert.equal(second.code, 1, `the second API exits with 1:\n${second.output}`);
  const holder = JSON.parse(leaseBefore ?? '{}') as { pid: number; host: string };
  for (const part of [
    cluster.options.databasePath,
    otherDb,
    `pid ${holder.pid}`,
    `host ${holder.host}`,
    'REDIS_PREFIX',
    'DATABASE_PATH',
  ])
    assert.ok(second.output.includes(part), `the refusal names ${part}:\n${second.output}`);

  // Nothing of the deployment changed: same lease holder, no consumer of the intruder in the group,
  // no run in the other file, and the deployment still ingests a whole run.
  assert.equal(
    JSON.parse((await redis.get(keys.apiLease)) ?? '{}').token,
    JSON.parse(leaseBefore ?? '{}').token,
  );
  const consumers = (await redis.xinfo('CONSUMERS', keys.events, keys.eventsGroup)) as unknown[][];
  assert.ok(!JSON.stringify(consumers).includes('api-intruder'));
  if (existsSync(otherDb)) {
    const db = openDatabase(otherDb);
    const runs = db.$client.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'runs'").get() as {
      n: number;
    };
    const rows = runs.n ? (db.$client.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n : 0;
    closeDatabase(db);
    assert.equal(rows, 0);
  }
  const id = await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 3, seed: 1 });
  const run = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 30_000);
  assert.deepEqual(epochNumbers(run), [1, 2, 3]);
});

test('the same database restarted after kill -9 takes over within the lease TTL and ingests every pending event once', async () => {
  const ttlMs = 6000;
  const cluster = await startFaultCluster('lease-takeover', {
    workers: 2,
    workerEnv: { WORKER_TRAINER: 'synthetic', SYNTHETIC_EPOCH_MS: '250' },
    apiEnv: { API_LEASE_TTL_MS: String(ttlMs) },
  });
  const keys = redisKeys(cluster.options.prefix);
  const redis = new Redis(cluster.redis.url);
  after(() => redis.disconnect());
  const ids = [
    await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 12, seed: 1 }),
    await postRun(cluster, { model: 'resnet', lr: 0.1, epochs: 12, seed: 1 }),
  ];
  await waitForRun(cluster, ids[0]!, 'an epoch stored', (r) => r.metrics.length >= 1, 20_000);

  cluster.api.process.kill('SIGKILL');
  await cluster.api.exited;
  // Pretend the dead API ran on another machine: its pid cannot be checked, only the expiry frees
  // the lease. (On this host a dead pid is proof enough: covered by api-restart.e2e.test.ts.)
  const lease = JSON.parse((await redis.get(keys.apiLease)) ?? '{}');
  const ttlLeft = await redis.pttl(keys.apiLease);
  assert.ok(ttlLeft > 0 && ttlLeft <= ttlMs, `the dead API's lease is still there (${ttlLeft} ms left)`);
  await redis.set(keys.apiLease, JSON.stringify({ ...lease, host: 'another-machine' }), 'PX', ttlLeft);
  // Workers train on meanwhile; their events wait in the stream.
  await new Promise((r) => setTimeout(r, 1500));
  const restartAt = Date.now();
  await cluster.startApi();
  const tookOverMs = Date.now() - restartAt;
  assert.ok(tookOverMs <= ttlMs + 5000, `ready ${tookOverMs} ms after the restart (TTL ${ttlMs} ms)`);
  assert.ok(tookOverMs >= ttlLeft - 1500 - 500, `it waited for the expiry (${tookOverMs} ms)`);
  const log = readFileSync(cluster.logPath(cluster.api), 'utf8');
  assert.match(log, /another API on this database holds the lease; waiting for it to expire/);

  for (const id of ids) {
    const run = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 60_000);
    assert.deepEqual(epochNumbers(run), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.ok(
      run.metrics.every((m) => m.attempt === 1),
      'one attempt: nothing re-ran',
    );
  }
  assert.equal((await getRunView(cluster, ids[1]!)).error, null);
  await waitFor(
    'no unacknowledged events',
    async () => ((await metric(cluster, 'sweeplab_events_unacked')) === 0 ? true : undefined),
    20_000,
  );
});

test('a lease lost mid-run (Redis restarted without its data) stops ingestion until it is re-acquired; no event is lost or doubled', async () => {
  const redisServer = await startRedisServer();
  let current = redisServer;
  const port = Number(new URL(redisServer.url).port);
  // The test plays the workers (it publishes their events itself), so it knows every event sent.
  const cluster = await startFaultCluster('lease-lost', {
    workers: 0,
    redis: { url: redisServer.url, owned: false, stop: async () => current.stop() },
    apiEnv: { API_LEASE_TTL_MS: '1500', EVENTS_TRIM_EVERY_MS: '200', INGEST_BLOCK_MS: '100' },
  });
  const keys = redisKeys(cluster.options.prefix);
  const ids = [
    await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 6, seed: 1 }),
    await postRun(cluster, { model: 'cnn', lr: 0.1, epochs: 6, seed: 2 }),
  ];
  let published = 0;
  const connect = (url: string) => new Redis(url).on('error', () => {});
  let client = connect(redisServer.url);
  after(() => client.disconnect());
  const publish = async (events: RunEvent[]) => {
    for (const e of events) await client.xadd(keys.events, '*', 'e', serializeRunEvent(e));
    published += events.length;
  };
  const w = (runId: string) => ({ run_id: runId, attempt: 1, worker_id: 'test-worker', at: Date.now() });
  const metrics = (epoch: number) => ({
    epoch,
    train_loss: 1 / epoch,
    train_acc: 0.5,
    val_loss: 0.5,
    val_acc: 0.5,
    epoch_seconds: 1,
    images_per_second: 100,
  });
  const epochs = (from: number, to: number) =>
    ids.flatMap((id) =>
      Array.from(
        { length: to - from + 1 },
        (_, k): RunEvent => ({
          type: 'epoch',
          ...w(id),
          metrics: metrics(from + k),
        }),
      ),
    );
  const stored = async () => Promise.all(ids.map(async (id) => epochNumbers(await getRunView(cluster, id))));

  await publish(
    ids.map((id) => ({
      type: 'started',
      ...w(id),
      backend: 'cpu',
      tfjs_version: 'none',
      device: 'test',
      resumed_from_epoch: 0,
    })),
  );
  await publish(epochs(1, 2));
  await waitFor(
    'epochs 1-2 stored',
    async () =>
      JSON.stringify(await stored()) ===
      JSON.stringify([
        [1, 2],
        [1, 2],
      ])
        ? true
        : undefined,
    20_000,
  );

  // Redis goes away without persistence: the lease cannot be renewed and lapses.
  client.disconnect();
  await current.stop();
  await waitFor(
    'the lease reported lost',
    async () => {
      const r = await readyz(cluster);
      return r.status === 503 && r.body.checks.lease?.startsWith('not held') ? r : undefined;
    },
    15_000,
  );
  current = await startRedisServer({ port });
  client = connect(current.url);
  // Another API takes the prefix while this one was cut off.
  const intruder = {
    database_id: 'ffffffff-0000-4000-8000-00000000000f',
    database_path: '/elsewhere/orchestrator.db',
    host: 'elsewhere',
    pid: 4242,
    token: 'intruder',
    acquired_at: new Date().toISOString(),
  };
  await client.set(keys.apiLease, JSON.stringify(intruder), 'PX', 60_000);
  const lost = await waitFor(
    'the API to see the other holder',
    async () => {
      const r = await readyz(cluster);
      return r.status === 503 && r.body.checks.lease?.includes('host elsewhere, pid 4242') ? r : undefined;
    },
    15_000,
  );
  assert.match(lost.body.checks.lease ?? '', /database \/elsewhere\/orchestrator\.db/);

  await publish(epochs(3, 4));
  await new Promise((r) => setTimeout(r, 2000));
  assert.deepEqual(
    await stored(),
    [
      [1, 2],
      [1, 2],
    ],
    'nothing ingested without the lease',
  );
  assert.equal(await metric(cluster, 'sweeplab_api_lease_held'), 0);

  await client.del(keys.apiLease);
  await waitFor(
    'the lease re-acquired',
    async () => ((await readyz(cluster)).status === 200 ? true : undefined),
    15_000,
  );
  await publish(epochs(5, 6));
  await publish(ids.map((id): RunEvent => ({ type: 'completed', ...w(id) })));
  for (const id of ids) {
    const run = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 20_000);
    assert.deepEqual(epochNumbers(run), [1, 2, 3, 4, 5, 6]);
  }
  // Every event read exactly once: none lost (all rows are there) and none applied twice.
  assert.equal(await metric(cluster, 'sweeplab_ingested_events_total'), published);
  assert.equal(await metric(cluster, 'sweeplab_api_lease_held'), 1);
});

test('the demo beside a live deployment on the same Redis leaves its jobs and rows untouched', async () => {
  const redisServer = await startRedisServer();
  const dir = tempDir('demo-beside');
  after(() => dir.remove());
  // A deployment on the default prefix, with no worker: its jobs wait in the queue.
  const deployment = await LocalCluster.start({
    prefix: 'sweeplab',
    databasePath: join(dir.path, 'deployment', 'orchestrator.db'),
    workers: 0,
    logDir: join(dir.path, 'deployment', 'logs'),
    redis: redisServer,
  });
  after(() => deployment.stop());
  const ids = [
    await postRun(deployment, { model: 'cnn', lr: 0.1, epochs: 2, seed: 1 }),
    await postRun(deployment, { model: 'resnet', lr: 0.1, epochs: 2, seed: 1 }),
  ];
  const before = await Promise.all(ids.map((id) => getRunView(deployment, id)));
  const deploymentDbId = (() => {
    const db = openDatabase(deployment.options.databasePath);
    const id = databaseId(db);
    closeDatabase(db);
    return id;
  })();

  // The smallest real demo, with the deployment's prefix exported in its shell.
  const demo = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'tests/system/src/demo.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      REDIS_URL: redisServer.url,
      REDIS_PREFIX: 'sweeplab',
      DATA_DIR: join(dir.path, 'demo'),
      DEMO_WORKERS: '1',
      DEMO_SEEDS: '1',
      DEMO_EPOCHS: '1',
      DEMO_TRAIN_SUBSET: '100',
      DEMO_VAL_SUBSET: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout.on('data', (d) => {
    output += d;
  });
  demo.stderr.on('data', (d) => {
    output += d;
  });
  const timer = setTimeout(() => demo.kill('SIGTERM'), 240_000);
  const code = await new Promise((r) => demo.once('exit', r));
  clearTimeout(timer);
  assert.equal(code, 0, `the demo succeeded:\n${output}`);
  assert.match(output, /Redis key prefix sweeplab-demo/);
  assert.match(output, /completed/, 'the demo trained its runs');

  // The deployment's jobs still wait, untouched, and its rows did not change.
  const queue = new Queue('train', { connection: { url: redisServer.url }, prefix: 'sweeplab' });
  after(() => queue.close());
  const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed');
  assert.deepEqual(counts, { waiting: 2, active: 0, completed: 0, failed: 0, paused: 0 });
  for (const id of ids) assert.equal((await queue.getJob(id))?.attemptsMade, 0);
  const afterRuns = await Promise.all(ids.map((id) => getRunView(deployment, id)));
  assert.deepEqual(afterRuns, before);
  const runs = await deployment.fetchJson<{ runs: unknown[] }>('/v1/runs');
  assert.equal(runs.body.runs.length, 2, 'no demo run in the deployment database');
  const redis = new Redis(redisServer.url);
  const lease = JSON.parse((await redis.get('sweeplab:api-lease')) ?? '{}');
  redis.disconnect();
  assert.equal(lease.database_id, deploymentDbId, 'the deployment keeps its lease');
  assert.equal((await readyz(deployment)).status, 200);
});
