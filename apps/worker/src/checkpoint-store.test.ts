import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { redisKeys } from '@sweeplab/shared';
import { deletePrefix, ensureRedis, type TestRedis, testPrefix } from '@sweeplab/testing';
import { Redis } from 'ioredis';
import { CheckpointStore } from './checkpoint-store.ts';

let server: TestRedis;
let redis: Redis;
const prefix = testPrefix('checkpoints');
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

test('a checkpoint round-trips as bytes; a superseded attempt cannot overwrite it', async () => {
  const store = new CheckpointStore(redis, keys, 60_000);
  const runId = 'run_ckpt';
  assert.equal(await store.load(runId), null);

  await redis.incr(keys.attempt(runId)); // attempt 1 picks the run up
  const blob = new Uint8Array([0, 1, 2, 255, 128, 7]);
  assert.equal(await store.save(runId, 1, 1, blob), true);
  assert.deepEqual(await store.load(runId), { attempt: 1, epoch: 1, data: blob });

  await redis.incr(keys.attempt(runId)); // attempt 2 takes over (attempt 1 is partitioned)
  assert.equal(await store.save(runId, 1, 2, new Uint8Array([9])), false, 'the stale attempt is fenced');
  assert.equal((await store.load(runId))?.epoch, 1);
  assert.equal(await store.save(runId, 2, 2, new Uint8Array([42])), true);
  assert.deepEqual(await store.load(runId), { attempt: 2, epoch: 2, data: new Uint8Array([42]) });

  await store.remove(runId);
  assert.equal(await store.load(runId), null);
  assert.ok((await redis.pttl(keys.checkpoint('run_other'))) < 0);
});
