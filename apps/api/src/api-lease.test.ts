import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { after, before, test } from 'node:test';
import { createLogger } from '@sweeplab/shared';
import { deletePrefix, ensureRedis, type TestRedis, testPrefix } from '@sweeplab/testing';
import { Redis } from 'ioredis';
import { ApiLease, LeaseRefusedError } from './api-lease.ts';

let server: TestRedis;
let redis: Redis;
const prefix = testPrefix('lease');
const logger = createLogger('lease-test', 'silent');
before(async () => {
  server = await ensureRedis();
  redis = new Redis(server.url);
});
after(async () => {
  redis.disconnect();
  await deletePrefix(server.url, prefix);
  await server.stop();
});

let n = 0;
const key = () => `${prefix}:api-lease:${++n}`;
const dbA = { id: 'aaaaaaaa-0000-4000-8000-000000000001', path: '/srv/a/orchestrator.db' };
const dbB = { id: 'bbbbbbbb-0000-4000-8000-000000000002', path: '/srv/b/orchestrator.db' };

test('a second API under another database refuses, naming both databases, the holder and what to do', async () => {
  const k = key();
  // The holder: an API on this host whose process is alive (here: our parent process).
  const holder = {
    database_id: dbA.id,
    database_path: dbA.path,
    host: hostname(),
    pid: process.ppid,
    token: 'holder',
    acquired_at: new Date().toISOString(),
  };
  await redis.set(k, JSON.stringify(holder), 'PX', 60_000);
  const second = new ApiLease(redis, k, dbB, { ttlMs: 3000, waitMs: 5000 }, logger);
  const started = Date.now();
  await assert.rejects(second.acquire(), (err: Error) => {
    assert.ok(err instanceof LeaseRefusedError);
    for (const part of [
      dbA.path,
      dbA.id,
      dbB.path,
      dbB.id,
      `pid ${process.ppid}`,
      hostname(),
      'REDIS_PREFIX',
    ])
      assert.ok(err.message.includes(part), `message names ${part}:\n${err.message}`);
    return true;
  });
  assert.ok(Date.now() - started < 2000, 'refused at once, without waiting');
  await assert.rejects(second.checkCompatible(), LeaseRefusedError);
  assert.equal(JSON.parse((await redis.get(k)) ?? '{}').database_id, dbA.id, 'the holder keeps it');
});

test('the same database takes over once the old lease expires', async () => {
  const k = key();
  // A holder on another host that stopped renewing (crashed): only expiry frees the key.
  const stale = {
    database_id: dbA.id,
    database_path: dbA.path,
    host: 'elsewhere',
    pid: 1,
    token: 't',
    acquired_at: 'x',
  };
  await redis.set(k, JSON.stringify(stale), 'PX', 1200);
  const successor = new ApiLease(redis, k, dbA, { ttlMs: 3000, waitMs: 5000 }, logger);
  const started = Date.now();
  await successor.acquire();
  after(() => successor.release());
  const waited = Date.now() - started;
  assert.ok(waited >= 900 && waited < 3000, `took over after the expiry (${waited} ms)`);
  assert.equal(JSON.parse((await redis.get(k)) ?? '{}').pid, process.pid);
});

test('the same database takes over at once when the holder is provably gone (same host, dead pid)', async () => {
  const k = key();
  const child = spawn(process.execPath, ['-e', '0']);
  const deadPid = child.pid as number;
  await new Promise((r) => child.once('exit', r));
  const gone = {
    database_id: dbA.id,
    database_path: dbA.path,
    host: hostname(),
    pid: deadPid,
    token: 't',
    acquired_at: 'x',
  };
  await redis.set(k, JSON.stringify(gone), 'PX', 60_000);
  const successor = new ApiLease(redis, k, dbA, { ttlMs: 3000, waitMs: 0 }, logger);
  const started = Date.now();
  await successor.acquire();
  after(() => successor.release());
  assert.ok(Date.now() - started < 1000);
  await successor.release();
  // A live holder on this host is not taken over: here, a live process (our parent) holds it.
  const alive = { ...gone, pid: process.ppid, token: 'alive' };
  await redis.set(k, JSON.stringify(alive), 'PX', 60_000);
  const third = new ApiLease(redis, k, dbA, { ttlMs: 3000, waitMs: 0 }, logger);
  await assert.rejects(third.acquire(), /keeps renewing/);
  // The same pid as ours under another token is a previous incarnation (a restarted container): gone.
  await redis.set(k, JSON.stringify({ ...gone, pid: process.pid, token: 'before-restart' }), 'PX', 60_000);
  const restarted = new ApiLease(redis, k, dbA, { ttlMs: 3000, waitMs: 0 }, logger);
  await restarted.acquire();
  after(() => restarted.release());
  assert.equal(JSON.parse((await redis.get(k)) ?? '{}').token, restarted.holder.token);
});

test('a holder whose key vanishes (Redis restarted empty) stops, says why, and re-acquires', async () => {
  const k = key();
  const lease = new ApiLease(redis, k, dbA, { ttlMs: 600, waitMs: 0 }, logger);
  await lease.acquire();
  after(() => lease.release());
  // Someone else holds the key when we next renew: lost, and not re-acquired while they hold it.
  const other = {
    database_id: dbB.id,
    database_path: dbB.path,
    host: 'h2',
    pid: 7,
    token: 'o',
    acquired_at: 'x',
  };
  await redis.set(k, JSON.stringify(other), 'PX', 1000);
  await new Promise((r) => setTimeout(r, 400));
  assert.match(String(lease.whyNotHeld()), /(taken|held) by another API: host h2, pid 7/);
  await redis.del(k);
  const deadline = Date.now() + 3000;
  while (lease.whyNotHeld() !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(lease.whyNotHeld(), null, 're-acquired once the key was free');
  assert.equal(JSON.parse((await redis.get(k)) ?? '{}').pid, process.pid);
});
