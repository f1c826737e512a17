import type { RedisKeys, WorkerHeartbeat } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

/** Publishes this worker's state every `intervalMs` under a key that expires after three missed beats. */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly intervalMs: number,
    private readonly snapshot: () => WorkerHeartbeat,
  ) {}

  start(): void {
    const beat = () => {
      const state = this.snapshot();
      this.redis
        .set(this.keys.worker(state.worker_id), JSON.stringify(state), 'PX', this.intervalMs * 3)
        .catch(() => {}); // Redis down: the next beat retries; the key expiring is the truth then.
    };
    beat();
    this.timer = setInterval(beat, this.intervalMs);
  }

  async stop(workerId: string): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(this.keys.worker(workerId)).catch(() => {});
  }
}
