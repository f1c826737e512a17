import { hostname } from 'node:os';
import {
  BUILTIN_PROGRAM,
  closeConnection,
  type Logger,
  type RedisKeys,
  redisKeys,
  type WorkerHeartbeat,
} from '@sweeplab/shared';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { TrainingChild } from './child.ts';
import type { Slot, WorkerConfig } from './config.ts';
import { EventPublisher } from './event-publisher.ts';
import { Heartbeat } from './heartbeat.ts';
import { type JobContext, processTrainJob, type RunningRun } from './process-train-job.ts';
import { loadServedPrograms, type ServedProgram, servedProgramNames } from './programs.ts';
import { RunStateStore } from './run-state-store.ts';

/**
 * A worker process: one BullMQ consumer with one slot per GPU (or per WORKER_CONCURRENCY), a training
 * child per running job, heartbeats, live cancellation and a graceful drain on shutdown.
 */
export class TrainWorker {
  private readonly keys: RedisKeys;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly bullConnection: Redis;
  private readonly running = new Map<string, RunningRun>();
  private readonly freeSlots: Slot[];
  /** One warm training child per slot, replaced when it dies or has served CHILD_MAX_JOBS jobs. */
  private readonly children = new Map<string, TrainingChild>();
  private readonly heartbeat: Heartbeat;
  /** One queue consumer per program served (the built-in program's queue is `train`). */
  private workers: Worker[] = [];
  private readonly programs: Map<string, ServedProgram>;
  private readonly programNames: string[];
  /** Jobs of any program waiting for a slot: a worker serving several programs shares its slots. */
  private readonly slotWaiters: ((slot: Slot) => void)[] = [];
  private shuttingDown = false;
  private readonly startedAt = Date.now();
  private backend: WorkerHeartbeat['backend'] = null;

  constructor(
    private readonly config: WorkerConfig,
    private readonly logger: Logger,
  ) {
    this.keys = redisKeys(config.REDIS_PREFIX);
    const onError = (what: string) => (err: Error) => logger.warn({ err }, `${what} connection error`);
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    this.redis.on('error', onError('redis'));
    this.subscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    this.subscriber.on('error', onError('subscriber'));
    this.bullConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    this.bullConnection.on('error', onError('queue'));
    this.freeSlots = [...config.slots];
    this.programs = loadServedPrograms(config);
    this.programNames = servedProgramNames(config, this.programs);
    this.heartbeat = new Heartbeat(this.redis, this.keys, config.WORKER_HEARTBEAT_MS, () => this.snapshot());
  }

  async start(): Promise<void> {
    const { config } = this;
    await this.subscriber.subscribe(this.keys.cancelChannel);
    this.subscriber.on('message', (_channel, runId: string) => this.cancelLocal(runId));

    const ctx: JobContext = {
      config,
      redis: this.redis,
      keys: this.keys,
      runState: new RunStateStore(this.redis, this.keys, config.CHECKPOINT_TTL_MS),
      events: new EventPublisher(this.redis, this.keys),
      logger: this.logger,
      running: this.running,
      isShuttingDown: () => this.shuttingDown,
      childFor: (slot) => this.childFor(slot),
      noteBackend: (backend) => {
        this.backend = backend;
      },
      programs: this.programs,
    };
    this.workers = this.programNames.map((program) => this.consume(program, ctx));
    // Warm every slot's child before taking jobs: start-up (Node, modules, the TF.js backend) stays off
    // the first jobs' clocks. A child that fails to start is replaced when its slot gets a job. The
    // first heartbeat follows, so /v1/workers lists a worker once it can take work.
    if (this.programNames.includes(BUILTIN_PROGRAM)) {
      await Promise.all(config.slots.map((slot) => this.childFor(slot).ready));
    }
    this.heartbeat.start();
    for (const worker of this.workers) void worker.run();
    this.logger.info(
      {
        workerId: config.workerId,
        slots: config.slots.map((s) => s.name),
        trainer: config.WORKER_TRAINER,
        programs: this.programNames,
      },
      'worker ready',
    );
  }

  /** The consumer of one program's queue; its jobs take a slot from the pool all programs share. */
  private consume(program: string, ctx: JobContext): Worker {
    const { config } = this;
    const worker = new Worker(
      this.keys.programQueue(program),
      async (job, token) => {
        const slot = await this.takeSlot();
        try {
          return await processTrainJob(job, token, slot, ctx);
        } finally {
          this.releaseSlot(slot);
        }
      },
      {
        connection: this.bullConnection,
        prefix: config.REDIS_PREFIX,
        concurrency: config.slots.length,
        lockDuration: config.WORKER_LOCK_DURATION_MS,
        stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
        maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
        autorun: false,
      },
    );
    worker.on('error', (err) => this.logger.warn({ err, program }, 'queue worker error'));
    worker.on('stalled', (jobId) =>
      this.logger.warn({ jobId, runId: jobId, program }, 'job stalled: its worker died; requeued'),
    );
    return worker;
  }

  private takeSlot(): Promise<Slot> {
    const slot = this.freeSlots.shift();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private releaseSlot(slot: Slot): void {
    const waiter = this.slotWaiters.shift();
    if (waiter) waiter(slot);
    else this.freeSlots.push(slot);
  }

  private childFor(slot: Slot): TrainingChild {
    const current = this.children.get(slot.name);
    if (current?.idle && current.jobsStarted < current.maxJobs) return current;
    current?.kill();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: this.config.LOG_LEVEL,
      TFJS_BACKEND: this.config.TFJS_BACKEND,
      SWEEPLAB_CHILD_TRAINER: this.config.WORKER_TRAINER,
    };
    // Each GPU slot's child sees only its own GPU.
    if (slot.gpu !== null) env.CUDA_VISIBLE_DEVICES = slot.gpu;
    const child = new TrainingChild({
      env,
      // ±20% so that children started together are not all replaced together.
      maxJobs: Math.max(1, Math.round(this.config.CHILD_MAX_JOBS * (0.8 + 0.4 * Math.random()))),
      maxOldSpaceMb: this.config.CHILD_MAX_OLD_SPACE_MB,
      killAfterMs: Math.min(1500, this.config.WORKER_SHUTDOWN_GRACE_MS),
    });
    this.children.set(slot.name, child);
    return child;
  }

  private cancelLocal(runId: string): void {
    const run = this.running.get(runId);
    if (!run) return;
    this.logger.info({ runId, workerId: this.config.workerId }, 'cancelling running run');
    run.stopReason ??= 'cancelled';
    run.executor.abort('cancelled');
  }

  private snapshot(): WorkerHeartbeat {
    let ips = 0;
    for (const run of this.running.values()) ips += run.imagesPerSecond;
    return {
      worker_id: this.config.workerId,
      host: hostname(),
      pid: process.pid,
      slots: this.config.slots.map((s) => s.gpu ?? s.name),
      backend: this.backend,
      running_runs: [...this.running.keys()],
      programs: this.programNames,
      images_per_second: ips,
      started_at: this.startedAt,
      last_heartbeat: Date.now(),
    };
  }

  /**
   * Graceful drain: take no new jobs, stop every child between batches (its last checkpoint is the
   * last finished epoch), hand its job back to the queue for another worker, and exit within the
   * grace period; children still alive then are killed and their jobs recovered as stalled.
   */
  async shutdown(signal: string): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const { logger, config } = this;
    logger.info({ signal, running: [...this.running.keys()] }, 'shutting down: draining');
    for (const run of this.running.values()) {
      run.stopReason ??= 'shutdown';
      run.executor.abort('worker shutting down');
    }
    const closing = Promise.all(this.workers.map((w) => w.close()));
    const timedOut = await Promise.race([
      closing.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), config.WORKER_SHUTDOWN_GRACE_MS).unref()),
    ]);
    if (timedOut) {
      logger.warn('grace period over: forcing close');
      // A program lives in its own process group and would outlive this process: end it now.
      for (const run of this.running.values()) run.executor.kill();
      await Promise.all(this.workers.map((w) => w.close(true)));
    }
    await Promise.race([
      this.heartbeat.stop(config.workerId),
      new Promise((r) => setTimeout(r, 1000).unref()),
    ]);
    await Promise.allSettled(
      [this.redis, this.subscriber, this.bullConnection].map((c) => closeConnection(c)),
    );
    logger.info('worker stopped');
  }
}
