import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunEvent, redisKeys } from '@sweeplab/shared';
import { deletePrefix, ensureRedis, type TestRedis, testPrefix } from '@sweeplab/testing';
import { Redis } from 'ioredis';
import { RunStateStore } from './run-state-store.ts';

let server: TestRedis;
let redis: Redis;
const prefix = testPrefix('run-state');
const keys = redisKeys(prefix);

before(async () => {
  server = await ensureRedis();
  redis = new Redis(server.url);
});
after(async () => {
  redis.disconnect();
  await deletePrefix(server.url, prefix);
  await server.stop();
});

const epochEvent = (attempt: number, epoch: number): Extract<RunEvent, { type: 'epoch' }> => ({
  type: 'epoch',
  run_id: 'run_state',
  attempt,
  worker_id: 'w',
  at: 1,
  metrics: {
    epoch,
    train_loss: 1,
    train_acc: 0.5,
    val_loss: 1,
    val_acc: 0.5,
    epoch_seconds: 1,
    images_per_second: 1,
  },
});

test('claims take increasing attempts; a superseded attempt can neither checkpoint nor publish', async () => {
  const store = new RunStateStore(redis, keys, 60_000);
  const runId = 'run_state';
  const first = await store.claim(runId);
  assert.deepEqual(first, { attempt: 1, cancelled: false, checkpoint: null });

  const blob = new Uint8Array([0, 1, 2, 255, 128, 7]);
  assert.deepEqual(await store.commitEpoch(runId, 1, 1, blob, epochEvent(1, 1)), {
    stored: true,
    cancelled: false,
  });
  assert.equal(await redis.xlen(keys.events), 1);

  const second = await store.claim(runId); // attempt 2 takes over (attempt 1 is partitioned)
  assert.equal(second.attempt, 2);
  assert.deepEqual(second.checkpoint, { attempt: 1, epoch: 1, data: blob });

  const late = await store.commitEpoch(runId, 1, 2, new Uint8Array([9]), epochEvent(1, 2));
  assert.equal(late.stored, false, 'the stale attempt is fenced');
  assert.equal(await redis.xlen(keys.events), 1, 'and its event never reaches the stream');
  assert.equal((await store.load(runId))?.epoch, 1);

  await redis.set(keys.cancelled(runId), '1');
  assert.deepEqual(await store.commitEpoch(runId, 2, 2, new Uint8Array([42]), epochEvent(2, 2)), {
    stored: true,
    cancelled: true,
  });
  assert.deepEqual(await store.load(runId), { attempt: 2, epoch: 2, data: new Uint8Array([42]) });
  assert.equal((await store.claim(runId)).cancelled, true);

  await store.removeCheckpoint(runId);
  assert.equal(await store.load(runId), null);
});
