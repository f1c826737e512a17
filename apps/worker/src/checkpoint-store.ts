import type { RedisKeys } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

export interface StoredCheckpoint {
  attempt: number;
  epoch: number;
  data: Uint8Array;
}

// Store only if this attempt is still the newest one issued for the run: a worker that lost its job
// (partition, stall) must not overwrite the checkpoint the new owner resumes from.
const SAVE_IF_CURRENT = `
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) < current then return 0 end
redis.call('HSET', KEYS[1], 'attempt', ARGV[1], 'epoch', ARGV[2], 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

/**
 * Checkpoints live in Redis, which every worker can reach: a run that comes back after a crash resumes
 * from its last finished epoch on whichever worker takes it.
 */
export class CheckpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
  ) {}

  async load(runId: string): Promise<StoredCheckpoint | null> {
    const key = this.keys.checkpoint(runId);
    const [attempt, epoch, data] = await Promise.all([
      this.redis.hget(key, 'attempt'),
      this.redis.hget(key, 'epoch'),
      this.redis.hgetBuffer(key, 'data'),
    ]);
    if (attempt === null || epoch === null || data === null) return null;
    return { attempt: Number(attempt), epoch: Number(epoch), data: new Uint8Array(data) };
  }

  /** Returns false when a newer attempt owns the run (this one must stop). */
  async save(runId: string, attempt: number, epoch: number, data: Uint8Array): Promise<boolean> {
    const stored = await this.redis.eval(
      SAVE_IF_CURRENT,
      2,
      this.keys.checkpoint(runId),
      this.keys.attempt(runId),
      attempt,
      epoch,
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      this.ttlMs,
    );
    return stored === 1;
  }

  async remove(runId: string): Promise<void> {
    await this.redis.unlink(this.keys.checkpoint(runId));
  }
}
