import {
  type Logger,
  type RedisKeys,
  TRAIN_JOB_SCHEMA_VERSION,
  type TrainJobPayload,
} from '@sweeplab/shared';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface RunQueueOptions {
  attempts: number;
  backoffMs: number;
}

/**
 * The BullMQ queue of training jobs, one per run with jobId = run id, so enqueueing twice is a no-op
 * and a run can always be found in Redis by its id.
 */
export class RunQueue {
  readonly queue: Queue;

  constructor(
    connection: Redis,
    private readonly keys: RedisKeys,
    private readonly redis: Redis,
    private readonly options: RunQueueOptions,
    private readonly logger: Logger,
  ) {
    this.queue = new Queue(keys.trainQueue, { connection, prefix: keys.prefix });
    this.queue.on('error', (err) => logger.warn({ err }, 'queue connection error'));
  }

  async enqueue(payloads: readonly Omit<TrainJobPayload, 'schema_version'>[]): Promise<void> {
    if (payloads.length === 0) return;
    await this.queue.addBulk(
      payloads.map((data) => ({
        name: 'train',
        data: { schema_version: TRAIN_JOB_SCHEMA_VERSION, ...data } satisfies TrainJobPayload,
        opts: {
          jobId: data.run_id,
          attempts: this.options.attempts,
          backoff: { type: 'exponential', delay: this.options.backoffMs },
          // Keep finished jobs for a day so enqueueing the same run again stays a no-op meanwhile.
          removeOnComplete: { age: 24 * 3600, count: 100_000 },
          removeOnFail: { age: 7 * 24 * 3600, count: 100_000 },
        },
      })),
    );
  }

  /**
   * Stops a run wherever it is: a waiting or delayed job is removed, and the cancel flag plus the
   * broadcast reach a worker that already runs it (it stops between batches) or is about to start it.
   */
  async cancel(runIds: readonly string[]): Promise<void> {
    if (runIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of runIds) pipeline.set(this.keys.cancelled(id), '1', 'EX', 7 * 24 * 3600);
    await pipeline.exec();
    for (const id of runIds) {
      await this.redis.publish(this.keys.cancelChannel, id);
      const job = await this.queue.getJob(id);
      const state = await job?.getState();
      if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
        await job.remove().catch((err: Error) => this.logger.debug({ runId: id, err }, 'job not removable'));
      }
    }
  }

  /** Where each run's job is in Redis: a BullMQ state, or `missing` (lost with a Redis that kept nothing). */
  async jobStates(runIds: readonly string[]): Promise<Map<string, { state: string; failedReason?: string }>> {
    const states = new Map<string, { state: string; failedReason?: string }>();
    for (const id of runIds) {
      const job = await this.queue.getJob(id);
      if (!job) states.set(id, { state: 'missing' });
      else states.set(id, { state: await job.getState(), failedReason: job.failedReason });
    }
    return states;
  }

  async depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
