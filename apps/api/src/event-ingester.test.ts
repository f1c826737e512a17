import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRun, getRun } from '@sweeplab/db';
import { REFERENCE_RECIPE, type RunEvent } from '@sweeplab/shared';
import { EventIngester } from './event-ingester.ts';
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

function ingester(consumer: string): EventIngester {
  return new EventIngester(
    api.ctx.redis,
    api.db,
    api.ctx.keys,
    consumer,
    { batchSize: 2, blockMs: 20, claimIdleMs: 60_000, claimEveryMs: 1000 },
    api.ctx.logger,
  );
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
  assert.equal(restarted.stats.invalid, 1, 'the malformed entry is dropped and counted once');
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

  const successor = new EventIngester(
    api.ctx.redis,
    api.db,
    api.ctx.keys,
    'api-new-host',
    { batchSize: 2, blockMs: 20, claimIdleMs: 100, claimEveryMs: 50 },
    api.ctx.logger,
  );
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
