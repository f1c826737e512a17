import { type RedisKeys, WorkerHeartbeat } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

/** Live workers: every heartbeat key that has not expired. */
export async function listWorkers(redis: Redis, keys: RedisKeys): Promise<WorkerHeartbeat[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', keys.workerPattern, 'COUNT', 200);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  if (found.length === 0) return [];
  const values = await redis.mget(...found);
  const workers: WorkerHeartbeat[] = [];
  for (const value of values) {
    if (value === null) continue;
    const parsed = WorkerHeartbeat.safeParse(JSON.parse(value));
    if (parsed.success) workers.push(parsed.data);
  }
  return workers.sort((a, b) => a.worker_id.localeCompare(b.worker_id));
}
