import {
  BUILTIN_PROGRAM,
  type JobPayload,
  jobProgram,
  type Logger,
  type NewJobPayload,
  type RedisKeys,
  TRAIN_JOB_SCHEMA_VERSION,
} from '@sweeplab/shared';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface RunQueueOptions {
  attempts: number;
  backoffMs: number;
  /** The program of a run (from SQLite), so a job is looked for in its program's queue. */
  programOf?: (runId: string) => string | undefined;
}

/**
 * The BullMQ queues of training jobs: one queue per program (the built-in program's is `train`), read
 * only by workers serving that program; one job per run with jobId = run id, so enqueueing twice is a
 * no-op and a run can always be found in Redis by its id.
 */
export class RunQueue {
  /** The built-in program's queue. */
  readonly queue: Queue;
  private readonly programQueues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly keys: RedisKeys,
    private readonly redis: Redis,
    private readonly options: RunQueueOptions,
    private readonly logger: Logger,
  ) {
    this.queue = this.queueFor(BUILTIN_PROGRAM);
  }

  /** The queue of a program's jobs, opened on first use. */
  queueFor(program: string): Queue {
    let queue = this.programQueues.get(program);
    if (!queue) {
      queue = new Queue(this.keys.programQueue(program), {
        connection: this.connection,
        prefix: this.keys.prefix,
      });
      queue.on('error', (err) => this.logger.warn({ err, program }, 'queue connection error'));
      this.programQueues.set(program, queue);
    }
    return queue;
  }

  private jobOf(runId: string) {
    return this.queueFor(this.options.programOf?.(runId) ?? BUILTIN_PROGRAM).getJob(runId);
  }

  async enqueue(payloads: readonly NewJobPayload[]): Promise<void> {
    const byProgram = new Map<string, NewJobPayload[]>();
    for (const p of payloads) {
      const program = jobProgram(p);
      byProgram.set(program, [...(byProgram.get(program) ?? []), p]);
    }
    for (const [program, list] of byProgram) await this.add(this.queueFor(program), list);
  }

  private async add(queue: Queue, payloads: readonly NewJobPayload[]): Promise<void> {
    await queue.addBulk(
      payloads.map((data) => ({
        name: 'train',
        data: { schema_version: TRAIN_JOB_SCHEMA_VERSION, ...data } as JobPayload,
        opts: {
          jobId: data.run_id,
          // A program sweep's `retries` needs that many attempts beyond the first, whatever JOB_ATTEMPTS says.
          attempts: Math.max(this.options.attempts, ('retries' in data ? (data.retries ?? 0) : 0) + 1),
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
      const job = await this.jobOf(id);
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
      const job = await this.jobOf(id);
      if (!job) states.set(id, { state: 'missing' });
      else states.set(id, { state: await job.getState(), failedReason: job.failedReason });
    }
    return states;
  }

  async depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
  }

  async close(): Promise<void> {
    await Promise.all([...this.programQueues.values()].map((q) => q.close()));
  }
}
