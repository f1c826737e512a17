import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadWorkerConfig } from './config.ts';

test('WORKER_GPUS gives one slot per GPU; otherwise WORKER_CONCURRENCY CPU slots', () => {
  assert.deepEqual(loadWorkerConfig({ WORKER_GPUS: '0, 3' }).slots, [
    { name: 'gpu0', gpu: '0' },
    { name: 'gpu3', gpu: '3' },
  ]);
  assert.deepEqual(
    loadWorkerConfig({ WORKER_CONCURRENCY: '2' }).slots.map((s) => s.name),
    ['cpu0', 'cpu1'],
  );
  assert.equal(loadWorkerConfig({}).slots.length, 1);
});

test('only REDIS_URL is needed, and bad values name the variable', () => {
  const cfg = loadWorkerConfig({ REDIS_URL: 'redis://10.0.0.5:6379' });
  assert.equal(cfg.REDIS_URL, 'redis://10.0.0.5:6379');
  assert.match(cfg.workerId, /-\d+$/);
  assert.throws(
    () => loadWorkerConfig({ WORKER_GPUS: 'zero' }),
    /WORKER_GPUS: must be a comma-separated list/,
  );
  assert.throws(
    () => loadWorkerConfig({ WORKER_CONCURRENCY: '0' }),
    /WORKER_CONCURRENCY: must be at least 1/,
  );
  assert.throws(() => loadWorkerConfig({ SYNTHETIC_FAULT: 'explode' }), /SYNTHETIC_FAULT/);
});
