import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { ensureRedis, startRedisServer } from './redis-server.ts';
import { deletePrefix, testPrefix } from './test-prefix.ts';

test('startRedisServer starts a private server that answers and stops', async () => {
  const server = await startRedisServer();
  const client = new Redis(server.url);
  assert.equal(await client.ping(), 'PONG');
  client.disconnect();
  await server.stop();
  assert.notEqual(server.process.exitCode ?? server.process.signalCode, null);
});

test('ensureRedis falls back to a private server when nothing answers at the URL', async () => {
  const redis = await ensureRedis('redis://127.0.0.1:1');
  after(() => redis.stop());
  assert.equal(redis.owned, true);
  assert.notEqual(redis.url, 'redis://127.0.0.1:1');
});

test('deletePrefix removes only the keys under its own prefix', async () => {
  const redis = await ensureRedis();
  after(() => redis.stop());
  const mine = testPrefix('mine');
  const other = testPrefix('other');
  const client = new Redis(redis.url);
  await client.set(`${mine}:a`, '1');
  await client.set(`${mine}:b`, '2');
  await client.set(`${other}:a`, '3');
  assert.equal(await deletePrefix(redis.url, mine), 2);
  assert.equal(await client.get(`${other}:a`), '3');
  await deletePrefix(redis.url, other);
  client.disconnect();
});
