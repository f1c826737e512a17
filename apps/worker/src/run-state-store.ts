import { type RedisKeys, type RunEvent, serializeRunEvent } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

export interface StoredCheckpoint {
  attempt: number;
  epoch: number;
  data: Uint8Array;
}

export interface Claim {
  /** This pickup's fencing token. */
  attempt: number;
  cancelled: boolean;
  checkpoint: StoredCheckpoint | null;
}

// Store the checkpoint and append the epoch event only if this attempt is still the newest one issued
// for the run: a worker that lost its job (partition, stall) must not overwrite the checkpoint the new
// owner resumes from, nor add to its history. One script, so the two can never disagree. The same
// script keeps the epoch's weights for the API as artifacts when they are the best so far by the
// sweep's metric (KEYS[5] holds that value) or the final ones: an epoch row without its artifact
// cannot exist, whatever dies when.
const COMMIT_EPOCH = `
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local cancelled = redis.call('EXISTS', KEYS[4])
if tonumber(ARGV[1]) < current then return {0, cancelled, 0} end
redis.call('HSET', KEYS[1], 'attempt', ARGV[1], 'epoch', ARGV[2], 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('XADD', KEYS[3], '*', 'e', ARGV[5])
local artifacts = 0
if ARGV[8] ~= '' then
  local value = tonumber(ARGV[6])
  local best = tonumber(redis.call('HGET', KEYS[5], 'value') or '')
  local better = value ~= nil and value == value and (best == nil or
    (ARGV[7] == 'minimize' and value < best) or (ARGV[7] ~= 'minimize' and value > best))
  if better then
    redis.call('HSET', KEYS[5], 'epoch', ARGV[2], 'value', ARGV[6])
    redis.call('PEXPIRE', KEYS[5], ARGV[4])
    redis.call('HSET', KEYS[6], 'attempt', ARGV[1], 'epoch', ARGV[2], 'data', ARGV[3])
    redis.call('PEXPIRE', KEYS[6], ARGV[4])
    redis.call('XADD', KEYS[3], '*', 'e', ARGV[8])
    artifacts = artifacts + 1
  end
end
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[7], 'attempt', ARGV[1], 'epoch', ARGV[2], 'data', ARGV[3])
  redis.call('PEXPIRE', KEYS[7], ARGV[4])
  redis.call('XADD', KEYS[3], '*', 'e', ARGV[9])
  artifacts = artifacts + 1
end
return {1, cancelled, artifacts}
`;

// Append an event only if this attempt is still the newest issued for the run (a program's logged
// step: no checkpoint travels with it).
const COMMIT_FENCED = `
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local cancelled = redis.call('EXISTS', KEYS[3])
if tonumber(ARGV[1]) < current then return {0, cancelled} end
redis.call('XADD', KEYS[1], '*', 'e', ARGV[2])
return {1, cancelled}
`;

/** What an epoch publishes as artifacts: the `best` candidate (kept only if it improves) and `final`. */
export interface EpochArtifacts {
  metricValue: number;
  goal: 'maximize' | 'minimize';
  best: Extract<RunEvent, { type: 'artifact' }>;
  final: Extract<RunEvent, { type: 'artifact' }> | null;
}

/**
 * What a worker keeps in Redis about a run it trains — the fencing token (attempt), the checkpoint
 * and the cancel flag — with each step of a run costing one round trip. Checkpoints live in Redis,
 * which every worker reaches: a run that comes back after a crash resumes from its last finished
 * epoch on whichever worker takes it.
 */
export class RunStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly checkpointTtlMs: number,
  ) {}

  /** Takes a new attempt for the run and reads what it starts from. */
  async claim(runId: string): Promise<Claim> {
    const key = this.keys.checkpoint(runId);
    const replies = await this.redis
      .multi()
      .incr(this.keys.attempt(runId))
      .exists(this.keys.cancelled(runId))
      .hget(key, 'attempt')
      .hget(key, 'epoch')
      .hgetBuffer(key, 'data')
      .exec();
    if (!replies) throw new Error(`claiming run ${runId}: the transaction was aborted`);
    for (const [err] of replies) if (err) throw new Error(`claiming run ${runId}: ${err.message}`);
    const [attempt, cancelled, cpAttempt, cpEpoch, data] = replies.map(([, value]) => value) as [
      number,
      number,
      string | null,
      string | null,
      Buffer | null,
    ];
    const checkpoint =
      cpAttempt !== null && cpEpoch !== null && data !== null
        ? { attempt: Number(cpAttempt), epoch: Number(cpEpoch), data: new Uint8Array(data) }
        : null;
    return { attempt, cancelled: cancelled === 1, checkpoint };
  }

  /**
   * Stores the epoch's checkpoint and publishes its event, atomically and fenced. `stored: false`
   * means a newer attempt owns the run (this one must stop); `cancelled` reports the cancel flag.
   */
  async commitEpoch(
    runId: string,
    attempt: number,
    epoch: number,
    data: Uint8Array,
    event: Extract<RunEvent, { type: 'epoch' }>,
    artifacts: EpochArtifacts | null = null,
  ): Promise<{ stored: boolean; cancelled: boolean; artifacts: number }> {
    const [stored, cancelled, published] = (await this.redis.eval(
      COMMIT_EPOCH,
      7,
      this.keys.checkpoint(runId),
      this.keys.attempt(runId),
      this.keys.events,
      this.keys.cancelled(runId),
      this.keys.bestMetric(runId),
      this.keys.artifactBlob(runId, 'best'),
      this.keys.artifactBlob(runId, 'final'),
      attempt,
      epoch,
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      this.checkpointTtlMs,
      serializeRunEvent(event),
      String(artifacts?.metricValue ?? ''),
      artifacts?.goal ?? 'maximize',
      artifacts ? serializeRunEvent(artifacts.best) : '',
      artifacts?.final ? serializeRunEvent(artifacts.final) : '',
    )) as [number, number, number];
    return { stored: stored === 1, cancelled: cancelled === 1, artifacts: published };
  }

  /** Publishes one event of the attempt, fenced like an epoch; `cancelled` reports the cancel flag. */
  async commitFenced(
    runId: string,
    attempt: number,
    event: RunEvent,
  ): Promise<{ stored: boolean; cancelled: boolean }> {
    const [stored, cancelled] = (await this.redis.eval(
      COMMIT_FENCED,
      3,
      this.keys.events,
      this.keys.attempt(runId),
      this.keys.cancelled(runId),
      attempt,
      serializeRunEvent(event),
    )) as [number, number];
    return { stored: stored === 1, cancelled: cancelled === 1 };
  }

  /** A run starting from scratch (no checkpoint) forgets the best value of an earlier attempt. */
  async resetBest(runId: string): Promise<void> {
    await this.redis.unlink(this.keys.bestMetric(runId));
  }

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

  async removeCheckpoint(runId: string): Promise<void> {
    await this.redis.unlink(this.keys.checkpoint(runId), this.keys.bestMetric(runId));
  }
}
