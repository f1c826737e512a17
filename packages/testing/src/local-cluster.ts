import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRedis, freePort, type TestRedis } from './redis-server.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = {
  api: join(repoRoot, 'apps/api/src/main.ts'),
  worker: join(repoRoot, 'apps/worker/src/main.ts'),
};

export interface LocalClusterOptions {
  /** Redis key prefix for this cluster (tests use their own, so they never touch other data). */
  prefix: string;
  databasePath: string;
  workers: number;
  /** Folder for each process's log file (`api.log`, `worker-1.log`, ...); see `logPath`. */
  logDir: string;
  /** A Redis to use (stopped with the cluster when `owned`); by default `ensureRedis()`. */
  redis?: TestRedis;
  port?: number;
  apiEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /**
   * Runs the API in the caller's process instead of spawning `apps/api/src/main.ts`: called with the
   * environment the process would get, it starts the API (with `startApi`, as `main.ts` does) on
   * `env.PORT` and returns how to close it. Benchmarks use it to time commits through the API's
   * hooks and to count its CPU apart from the workers'.
   */
  inProcessApi?: (env: Record<string, string>) => Promise<{ close(): Promise<void> }>;
}

export interface ServiceProcess {
  name: string;
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * An API and N workers as real processes on this machine, sharing one Redis (REDIS_URL when it answers,
 * else a private redis-server) — what `npm run demo` runs and what the end-to-end tests drive.
 */
export class LocalCluster {
  /** The API process; unset when `inProcessApi` runs the API in the caller's process. */
  api!: ServiceProcess;
  readonly workers: ServiceProcess[] = [];
  url = '';
  private workerCount = 0;
  private inProcessApi: { close(): Promise<void> } | undefined;

  private constructor(
    readonly options: LocalClusterOptions,
    readonly redis: TestRedis,
    readonly port: number,
  ) {}

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    mkdirSync(options.logDir, { recursive: true });
    const redis = options.redis ?? (await ensureRedis());
    const cluster = new LocalCluster(options, redis, options.port ?? (await freePort()));
    await cluster.startApi();
    for (let i = 0; i < options.workers; i++) cluster.startWorker();
    return cluster;
  }

  private baseEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      REDIS_URL: this.redis.url,
      REDIS_PREFIX: this.options.prefix,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    };
  }

  private spawnService(
    name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    wrap: string[] = [],
  ): ServiceProcess {
    const log = createWriteStream(join(this.options.logDir, `${name}.log`), { flags: 'a' });
    // `wrap` runs the service through another command, e.g. `ip netns exec <ns>` for a test host.
    const [command, ...args] = [...wrap, process.execPath, '--import', 'tsx', script];
    const child = spawn(command!, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: repoRoot,
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { name, process: child, exited };
  }

  /** Starts (or restarts) the API and waits until /readyz answers 200. */
  async startApi(extraEnv: Record<string, string> = {}): Promise<void> {
    const env = {
      ...this.baseEnv(),
      PORT: String(this.port),
      HOST: '127.0.0.1',
      DATABASE_PATH: this.options.databasePath,
      ...this.options.apiEnv,
      ...extraEnv,
    };
    this.url = `http://127.0.0.1:${this.port}`;
    if (this.options.inProcessApi) {
      this.inProcessApi = await this.options.inProcessApi(env as Record<string, string>);
      return;
    }
    this.api = this.spawnService('api', entry.api, env);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const exit = await Promise.race([
        this.api.exited,
        new Promise<null>((r) => setTimeout(() => r(null), 200)),
      ]);
      if (exit)
        throw new Error(
          `api exited during start (code ${exit.code}); see ${join(this.options.logDir, 'api.log')}`,
        );
      try {
        if ((await fetch(`${this.url}/readyz`)).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`api not ready after 60 s; see ${join(this.options.logDir, 'api.log')}`);
    }
  }

  startWorker(extraEnv: Record<string, string> = {}, wrap: string[] = []): ServiceProcess {
    this.workerCount++;
    const name = `worker-${this.workerCount}`;
    const env = { ...this.baseEnv(), WORKER_ID: name, ...this.options.workerEnv, ...extraEnv };
    const worker = this.spawnService(name, entry.worker, env, wrap);
    this.workers.push(worker);
    return worker;
  }

  logPath(service: ServiceProcess): string {
    return join(this.options.logDir, `${service.name}.log`);
  }

  async stopService(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM') {
    if (service.process.exitCode === null && service.process.signalCode === null)
      service.process.kill(signal);
    return service.exited;
  }

  async fetchJson<T = unknown>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      ...init,
      headers: {
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => this.stopService(w)));
    if (this.api) await this.stopService(this.api);
    await this.inProcessApi?.close();
    await this.redis.stop();
  }
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
