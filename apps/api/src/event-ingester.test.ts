import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRun, getRun } from '@sweeplab/db';
import { REFERENCE_RECIPE, type RunEvent, serializeRunEvent } from '@sweeplab/shared';
import { EventIngester, type IngesterOptions } from './event-ingester.ts';
import { streamBacklog } from './event-stream.ts';
import { createTestApi, type TestApi } from './test-api.ts';

let api: TestApi;
before(async () => {
  api = await createTestApi('ingester');
});
after(() => api.close());

const params = {
  model: 'cnn',
  dataset: 'mnist',
  lr: 0.1,
  epochs: 2,
  batch_size: 64,
  seed: 0,
  momentum: 0,
  ...REFERENCE_RECIPE,
} as const;
const metrics = (epoch: number) => ({
  epoch,
  train_loss: 1 / epoch,
  train_acc: 0.9,
  val_loss: 0.5,
  val_acc: 0.95,
  epoch_seconds: 1,
  images_per_second: 100,
});

async function publish(events: (RunEvent | string)[]): Promise<void> {
  for (const e of events)
    await api.ctx.redis.xadd(api.ctx.keys.events, '*', 'e', typeof e === 'string' ? e : JSON.stringify(e));
}

function ingester(consumer: string, options: Partial<IngesterOptions> = {}): EventIngester {
  return new EventIngester({
    redis: api.ctx.redis,
    db: api.db,
    keys: api.ctx.keys,
    consumer,
    logger: api.ctx.logger,
    batchSize: 2,
    blockMs: 20,
    claimIdleMs: 60_000,
    claimEveryMs: 1000,
    ...options,
  });
}

async function pendingCount(): Promise<number> {
  const summary = (await api.ctx.redis.xpending(api.ctx.keys.events, api.ctx.keys.eventsGroup)) as [number];
  return summary[0];
}

async function waitUntil(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('entries read but not acknowledged before a crash are re-read and applied exactly once', async () => {
  const run = createRun(api.db, { id: 'run_ingest_0000000001', params });
  const w = { run_id: run.id, attempt: 1, worker_id: 'w1', at: Date.now() };
  await publish([
    { type: 'started', ...w, backend: 'wasm', tfjs_version: '4.22.0', device: 'cpu', resumed_from_epoch: 0 },
    { type: 'epoch', ...w, metrics: metrics(1) },
    'not json at all',
    { type: 'epoch', ...w, metrics: metrics(2) },
    { type: 'completed', ...w },
  ]);
  await api.ctx.redis.xgroup('CREATE', api.ctx.keys.events, api.ctx.keys.eventsGroup, '0', 'MKSTREAM');
  // A crash after a read and before the ack: consumer api-2 read two entries and died.
  const args = ['GROUP', api.ctx.keys.eventsGroup, 'api-2', 'COUNT', 2, 'STREAMS', api.ctx.keys.events, '>'];
  await api.ctx.redis.call('XREADGROUP', ...args);
  const restarted = ingester('api-2');
  await restarted.drain();

  const stored = getRun(api.db, run.id);
  assert.equal(stored?.status, 'completed');
  assert.deepEqual(
    stored?.metrics.map((m) => m.epoch),
    [1, 2],
  );
  assert.equal(restarted.stats.eventsRead, 5, 'the two pending entries, then the three new ones');
  assert.equal(restarted.stats.invalid, 1, 'the malformed entry is counted once');
  assert.equal(restarted.stats.deadLettered.malformed, 1, 'and kept in the dead-letter stream');
  const pending = (await api.ctx.redis.xpending(api.ctx.keys.events, api.ctx.keys.eventsGroup)) as [
    number,
    ...unknown[],
  ];
  assert.equal(pending[0], 0, 'everything was acknowledged');
});

test('entries a dead consumer left unacknowledged are taken over once idle', async () => {
  const run = createRun(api.db, { id: 'run_ingest_0000000002', params });
  const w = { run_id: run.id, attempt: 1, worker_id: 'w1', at: Date.now() };
  await publish([
    { type: 'started', ...w, backend: 'wasm', tfjs_version: '4.22.0', device: 'cpu', resumed_from_epoch: 0 },
    { type: 'epoch', ...w, metrics: metrics(1) },
    { type: 'epoch', ...w, metrics: metrics(2) },
    { type: 'completed', ...w },
  ]);
  // An API under another name (a new container hostname) read everything, then died.
  const args = [
    'GROUP',
    api.ctx.keys.eventsGroup,
    'api-old-host',
    'COUNT',
    100,
    'STREAMS',
    api.ctx.keys.events,
    '>',
  ];
  await api.ctx.redis.call('XREADGROUP', ...args);
  await new Promise((r) => setTimeout(r, 150));

  const successor = ingester('api-new-host', { claimIdleMs: 100, claimEveryMs: 50 });
  await successor.drain();
  const stored = getRun(api.db, run.id);
  assert.equal(stored?.status, 'completed');
  assert.deepEqual(
    stored?.metrics.map((m) => m.epoch),
    [1, 2],
  );
  const pending = (await api.ctx.redis.xpending(api.ctx.keys.events, api.ctx.keys.eventsGroup)) as [number];
  assert.equal(pending[0], 0);
});

test('events the database cannot apply are kept in the dead-letter stream, never acknowledged and dropped', async () => {
  const run = createRun(api.db, { id: 'run_ingest_0000000003', params });
  const w = { run_id: run.id, attempt: 1, worker_id: 'w1', at: Date.now() };
  const ghost = { ...w, run_id: 'run_from_another_database' };
  await publish([
    serializeRunEvent({ type: 'epoch', ...ghost, metrics: metrics(1) }),
    serializeRunEvent({ type: 'epoch', ...w, metrics: metrics(1) }),
    JSON.stringify({ type: 'epoch', ...w, schema_version: 2, metrics: { ...metrics(2), momentum_2: 1 } }),
  ]);
  const deadBefore = await api.ctx.redis.xlen(api.ctx.keys.eventsDeadLetter);
  const i = ingester('api-dlq');
  await i.drain();
  assert.deepEqual(
    getRun(api.db, run.id)?.metrics.map((m) => m.epoch),
    [1],
    'the known, current-version event applied; the version-2 one did not',
  );
  assert.equal(i.stats.deadLettered['unknown-run'], 1);
  assert.equal(i.stats.deadLettered['schema-version'], 1);
  const dead = await api.ctx.redis.xrange(api.ctx.keys.eventsDeadLetter, '-', '+');
  assert.equal(dead.length - deadBefore, 2);
  const fields = dead
    .slice(deadBefore)
    .map(([, f]) => Object.fromEntries(f.flatMap((v, k) => (k % 2 ? [] : [[v, f[k + 1]]]))));
  assert.deepEqual(
    fields.map((f) => f.reason),
    ['unknown-run', 'schema-version'],
  );
  assert.match(String(fields[0]?.detail), /run_from_another_database/);
  assert.match(String(fields[1]?.detail), /schema version 2; this API understands 1/);
  assert.equal(JSON.parse(String(fields[0]?.e)).run_id, 'run_from_another_database');
  assert.equal(await pendingCount(), 0, 'acknowledged once kept');
  const backlog = await streamBacklog(api.ctx.redis, api.ctx.keys);
  assert.equal(backlog.deadLetterLength, dead.length);
});

test('an ingester that may not commit (lease lost) reads nothing into the database and acknowledges nothing', async () => {
  const run = createRun(api.db, { id: 'run_ingest_0000000004', params });
  const w = { run_id: run.id, attempt: 1, worker_id: 'w1', at: Date.now() };
  let reason: string | null = 'lease lost (test)';
  const i = ingester('api-fenced', { mayCommit: () => reason });
  await i.start();
  await publish([
    { type: 'epoch', ...w, metrics: metrics(1) },
    { type: 'epoch', ...w, metrics: metrics(2) },
  ]);
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(getRun(api.db, run.id)?.metrics, []);
  assert.equal(i.stats.pausedReason, 'lease lost (test)');
  assert.equal((await streamBacklog(api.ctx.redis, api.ctx.keys)).unacked, 2);
  reason = null;
  await waitUntil('both epochs', () => getRun(api.db, run.id)?.metrics.length === 2);
  await i.stop();
  assert.equal(i.stats.pausedReason, null);
  assert.equal(i.stats.applied, 2, 'each event applied exactly once');
  assert.equal(await pendingCount(), 0);
});

test('a stopped ingester loses nothing however far the stream grows: only acknowledged entries are trimmed', async () => {
  const epochs = 60;
  const run = createRun(api.db, { id: 'run_ingest_0000000005', params: { ...params, epochs } });
  const w = { run_id: run.id, attempt: 1, worker_id: 'w1', at: Date.now() };
  // Keep 5 acknowledged entries: far fewer than the 61 events pushed while the ingester is down.
  const options = { retainAcked: 5, trimEveryMs: 50, batchSize: 16 };
  const first = ingester('api-trim', options);
  await first.start();
  await publish([
    { type: 'started', ...w, backend: 'wasm', tfjs_version: '4.22.0', device: 'cpu', resumed_from_epoch: 0 },
  ]);
  await waitUntil('the start', () => getRun(api.db, run.id)?.status === 'running');
  await first.stop();

  await publish(
    Array.from({ length: epochs }, (_, k) => ({ type: 'epoch', ...w, metrics: metrics(k + 1) }) as RunEvent),
  );
  await publish([{ type: 'completed', ...w }]);
  // Maintenance while nobody ingests trims acknowledged entries only.
  await first.maintainStream();
  const waiting = await streamBacklog(api.ctx.redis, api.ctx.keys);
  assert.equal(waiting.unacked, epochs + 1);
  assert.ok(
    waiting.length >= epochs + 1,
    `stream kept every unacknowledged entry (length ${waiting.length})`,
  );
  assert.ok(waiting.oldestUnackedAgeMs !== null && waiting.oldestUnackedAgeMs >= 0);

  const restarted = ingester('api-trim', options);
  await restarted.start();
  await waitUntil('the run completed', () => getRun(api.db, run.id)?.status === 'completed');
  await restarted.maintainStream();
  await restarted.stop();
  assert.deepEqual(
    getRun(api.db, run.id)?.metrics.map((m) => m.epoch),
    Array.from({ length: epochs }, (_, k) => k + 1),
  );
  const after = await streamBacklog(api.ctx.redis, api.ctx.keys);
  assert.equal(after.unacked, 0);
  assert.equal(after.oldestUnackedAgeMs, null);
  assert.equal(after.length, 5, 'acknowledged entries beyond EVENTS_RETAIN_ACKED were trimmed');
});

test('an ingester given only its connections uses the documented defaults: 500 entries per commit, each reported to onCommitted', async () => {
  const fresh = await createTestApi('ingester-defaults');
  try {
    const run = createRun(fresh.db, { id: 'run_ingest_defaults01', params });
    const w = { run_id: run.id, attempt: 1, worker_id: 'w1', at: Date.now() };
    const events: RunEvent[] = [
      {
        type: 'started',
        ...w,
        backend: 'wasm',
        tfjs_version: '4.22.0',
        device: 'cpu',
        resumed_from_epoch: 0,
      },
      ...Array.from({ length: 500 }, (): RunEvent => ({ type: 'epoch', ...w, metrics: metrics(1) })),
    ];
    const pipeline = fresh.ctx.redis.pipeline();
    for (const e of events) pipeline.xadd(fresh.ctx.keys.events, '*', 'e', JSON.stringify(e));
    await pipeline.exec();
    const committed: number[] = [];
    const ingester = new EventIngester({
      redis: fresh.ctx.redis,
      db: fresh.db,
      keys: fresh.ctx.keys,
      consumer: 'api-defaults',
      logger: fresh.ctx.logger,
      onCommitted: (batch) => committed.push(batch.length),
    });
    await fresh.ctx.redis.xgroup(
      'CREATE',
      fresh.ctx.keys.events,
      fresh.ctx.keys.eventsGroup,
      '0',
      'MKSTREAM',
    );
    await ingester.drain();
    assert.deepEqual(committed, [500, 1], '501 entries: one full batch of 500, then the rest');
    assert.equal(ingester.stats.eventsRead, 501);
    assert.deepEqual(
      getRun(fresh.db, run.id)?.metrics.map((m) => m.epoch),
      [1],
    );
  } finally {
    await fresh.close();
  }
});
