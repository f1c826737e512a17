import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface TestRedis {
  url: string;
  /** True when this helper started the server (and so stops it in `stop`). */
  owned: boolean;
  stop(): Promise<void>;
}

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface StartRedisOptions {
  port?: number;
  /** Keep an append-only file in `dir`, so a restart on the same dir keeps the data (fault tests). */
  appendonly?: boolean;
  dir?: string;
  /** Addresses to listen on (default 127.0.0.1); extra ones are for test hosts in network namespaces. */
  bind?: string[];
}

/** Starts a private `redis-server` (Debian package redis-server) and resolves once it answers PING. */
export async function startRedisServer(
  options: StartRedisOptions = {},
): Promise<TestRedis & { dir: string; process: ChildProcess }> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sweeplab-redis-'));
  const bind = options.bind ?? ['127.0.0.1'];
  const args = ['--port', String(port), '--bind', bind.join(' '), '--save', '', '--dir', dir];
  // Protected mode refuses non-loopback interfaces; a test host's veth is one, and only tests bind it.
  if (bind.length > 1) args.push('--protected-mode', 'no');
  args.push('--appendonly', options.appendonly ? 'yes' : 'no');
  let child: ChildProcess;
  try {
    child = spawn('redis-server', args, { stdio: 'ignore' });
  } catch (err) {
    throw new Error(
      `could not start redis-server (install it with: apt-get install redis-server): ${String(err)}`,
    );
  }
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err) =>
      reject(
        new Error(
          `could not start redis-server (install it with: apt-get install redis-server): ${err.message}`,
        ),
      ),
    ),
  );
  const url = `redis://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      if (await answersPing(url)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${port} did not answer PING within 5 s`);
  })();
  await Promise.race([ready, spawnError]);
  return {
    url,
    owned: true,
    dir,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The Redis a test should use: the one at REDIS_URL (default 127.0.0.1:6379) when it answers, else a
 * private redis-server on a free port. Tests isolate their keys with `testPrefix()`, never FLUSHDB.
 */
export async function ensureRedis(
  url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
): Promise<TestRedis> {
  if (await answersPing(url)) return { url, owned: false, stop: async () => {} };
  return startRedisServer();
}
