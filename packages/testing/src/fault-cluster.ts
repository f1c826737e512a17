import { type LocalCluster, waitFor } from './local-cluster.ts';
import type { TestRedis } from './redis-server.ts';
import { startTestCluster } from './test-cluster.ts';

/** Crash detection tuned for tests: a dead worker's job is taken over within about 4 s. */
export const FAST_RECOVERY = {
  WORKER_LOCK_DURATION_MS: '3000',
  WORKER_STALLED_INTERVAL_MS: '1000',
  WORKER_HEARTBEAT_MS: '500',
  WORKER_SHUTDOWN_GRACE_MS: '5000',
};

export interface RunView {
  id: string;
  status: string;
  attempt: number;
  error: string | null;
  worker: string | null;
  backend: string | null;
  resumed_from_epoch: number | null;
  metrics: {
    epoch: number;
    attempt: number;
    train_loss: number;
    val_acc: number;
    val_loss: number;
    train_acc: number;
  }[];
}

/** A LocalCluster for one fault test, removed (processes, temp files, Redis keys) when the file ends. */
export async function startFaultCluster(
  label: string,
  options: {
    workers: number;
    workerEnv?: Record<string, string>;
    apiEnv?: Record<string, string>;
    redis?: TestRedis;
  },
): Promise<LocalCluster> {
  const { cluster } = await startTestCluster(label, {
    ...options,
    apiEnv: { JOB_BACKOFF_MS: '200', ...options.apiEnv },
    workerEnv: { ...FAST_RECOVERY, ...options.workerEnv },
  });
  return cluster;
}

export async function postRun(cluster: LocalCluster, body: Record<string, unknown>): Promise<string> {
  const res = await cluster.fetchJson<{ id: string }>('/v1/runs', {
    method: 'POST',
    body: JSON.stringify(body),
  });
  if (res.status !== 201)
    throw new Error(`POST /v1/runs answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export async function getRunView(cluster: LocalCluster, id: string): Promise<RunView> {
  return (await cluster.fetchJson<RunView>(`/v1/runs/${id}`)).body;
}

export function waitForRun(
  cluster: LocalCluster,
  id: string,
  what: string,
  ok: (r: RunView) => boolean,
  timeoutMs: number,
) {
  return waitFor(
    `run ${id}: ${what}`,
    async () => {
      const run = await getRunView(cluster, id).catch(() => undefined);
      return run && ok(run) ? run : undefined;
    },
    timeoutMs,
    100,
  );
}

/** The epoch numbers of a run, which must be 1..n each exactly once (the primary key guarantees "once"). */
export function epochNumbers(run: RunView): number[] {
  return run.metrics.map((m) => m.epoch);
}
