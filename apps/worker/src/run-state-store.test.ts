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
    artifacts: 0,
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
    artifacts: 0,
  });
  assert.deepEqual(await store.load(runId), { attempt: 2, epoch: 2, data: new Uint8Array([42]) });
  assert.equal((await store.claim(runId)).cancelled, true);

  await store.removeCheckpoint(runId);
  assert.equal(await store.load(runId), null);
});

test('an epoch publishes its weights as `best` only when the metric improves, and as `final` at the end; fenced like epochs', async () => {
  const store = new RunStateStore(redis, keys, 60_000);
  const runId = 'run_artifacts';
  const { attempt } = await store.claim(runId);
  const artifact = (kind: 'best' | 'final', epoch: number, value: number) => ({
    type: 'artifact' as const,
    run_id: runId,
    attempt,
    worker_id: 'w',
    at: 1,
    kind,
    epoch,
    metric_name: 'val_loss',
    metric_value: value,
    val_acc: 0.5,
    code_version: 'test',
  });
  const commit = (epoch: number, value: number, final = false, at = attempt) =>
    store.commitEpoch(runId, at, epoch, new Uint8Array([epoch]), epochEvent(at, epoch), {
      metricValue: value,
      goal: 'minimize',
      best: artifact('best', epoch, value),
      final: final ? artifact('final', epoch, value) : null,
    });
  const before = await redis.xlen(keys.events);
  assert.equal((await commit(1, 0.9)).artifacts, 1, 'the first epoch is the best so far');
  assert.equal((await commit(2, 0.95)).artifacts, 0, 'worse (minimize): no artifact');
  assert.equal((await commit(3, Number.NaN)).artifacts, 0, 'NaN is never best');
  assert.equal((await commit(4, 0.5)).artifacts, 1);
  assert.deepEqual(await redis.hgetall(keys.artifactBlob(runId, 'best')), {
    attempt: String(attempt),
    epoch: '4',
    data: '\u0004',
  });
  const stale = await commit(5, 0.1, true, attempt - 1);
  assert.deepEqual(
    stale,
    { stored: false, cancelled: false, artifacts: 0 },
    'a superseded attempt publishes nothing',
  );
  assert.equal((await commit(5, 0.6, true)).artifacts, 1, 'final, not best');
  const entries = (await redis.xrange(keys.events, '-', '+')).slice(before).map(([, f]) => JSON.parse(f[1]!));
  assert.deepEqual(
    entries.map((e) => (e.type === 'artifact' ? `${e.kind}@${e.epoch}` : `epoch@${e.metrics.epoch}`)),
    ['epoch@1', 'best@1', 'epoch@2', 'epoch@3', 'epoch@4', 'best@4', 'epoch@5', 'final@5'],
  );
  await store.removeCheckpoint(runId);
  assert.equal(await redis.exists(keys.bestMetric(runId)), 0);
});
