import {
  type BackendName,
  type Logger,
  type RedisKeys,
  type RunEvent,
  TrainJobPayload,
} from '@sweeplab/shared';
import { type Job, UnrecoverableError, WaitingError } from 'bullmq';
import type { Redis } from 'ioredis';
import { type TrainingChild, TrainingChildError } from './child.ts';
import type { Slot, WorkerConfig } from './config.ts';
import type { EventPublisher } from './event-publisher.ts';
import type { RunStateStore } from './run-state-store.ts';

export interface JobContext {
  config: WorkerConfig;
  redis: Redis;
  keys: RedisKeys;
  runState: RunStateStore;
  events: EventPublisher;
  logger: Logger;
  /** Children running now, by run id, so cancellation and shutdown can reach them. */
  running: Map<string, RunningRun>;
  /** True once SIGTERM/SIGINT arrived: children are stopped and their jobs handed back. */
  isShuttingDown: () => boolean;
  /** The slot's warm training child (a fresh one when the last died or served its quota). */
  childFor: (slot: Slot) => TrainingChild;
  /** Tells the worker which backend its children train on (for heartbeats). */
  noteBackend: (backend: BackendName) => void;
}

export interface RunningRun {
  child: TrainingChild;
  stopReason: 'cancelled' | 'shutdown' | 'superseded' | null;
  imagesPerSecond: number;
}

/**
 * Trains one run for BullMQ. Each pickup takes a new fencing token (the attempt), resumes from the
 * run's last checkpoint when there is one, and reports every epoch through the event stream.
 */
export async function processTrainJob(job: Job, token: string | undefined, slot: Slot, ctx: JobContext) {
  const { config, logger: baseLogger } = ctx;
  const runId = job.id ?? 'unknown';
  const { attempt, cancelled, checkpoint } = await ctx.runState.claim(runId);
  const parsed = TrainJobPayload.safeParse(job.data);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
      .join('; ');
    const message = `invalid job payload: ${reason}`;
    baseLogger.error({ jobId: job.id, runId }, message);
    // Poison input: fail once, clearly, and never retry.
    await ctx.events.publish({
      type: 'failed',
      run_id: runId,
      attempt,
      worker_id: config.workerId,
      at: Date.now(),
      error: message,
      will_retry: false,
    });
    throw new UnrecoverableError(message);
  }
  const payload = parsed.data;
  const log = baseLogger.child({
    runId,
    sweepId: payload.sweep_id,
    jobId: job.id,
    workerId: config.workerId,
    slot: slot.name,
  });
  const base = () => ({ run_id: runId, attempt, worker_id: config.workerId, at: Date.now() });

  const alog = log.child({ attempt });

  if (cancelled) {
    alog.info('run was cancelled before it started; skipping');
    await ctx.events.publish({ type: 'cancelled', ...base() });
    return { cancelled: true };
  }

  const resumedFrom = checkpoint?.epoch ?? 0;
  alog.info(
    { resumedFromEpoch: resumedFrom },
    resumedFrom > 0 ? `resuming from epoch ${resumedFrom}` : 'starting run',
  );

  const child = ctx.childFor(slot);
  const state: RunningRun = { child, stopReason: null, imagesPerSecond: 0 };
  const finished = child.run({
    payload,
    resumeFrom: checkpoint?.data ?? null,
    start: {
      backend: config.TFJS_BACKEND,
      trainer: config.WORKER_TRAINER,
      syntheticEpochMs: config.SYNTHETIC_EPOCH_MS,
      syntheticFault: config.SYNTHETIC_FAULT ?? null,
    },
    onStarted: async (info) => {
      ctx.noteBackend(info.backend);
      alog.info({ backend: info.backend, device: info.device, pid: child.pid }, 'training child started');
      await ctx.events.publish({
        type: 'started',
        ...base(),
        backend: info.backend,
        tfjs_version: info.tfjsVersion,
        device: info.device,
        resumed_from_epoch: resumedFrom,
      });
    },
    onEpoch: async (metrics, blob) => {
      const commit = await ctx.runState.commitEpoch(runId, attempt, metrics.epoch, blob, {
        type: 'epoch',
        ...base(),
        metrics,
      });
      if (!commit.stored) {
        state.stopReason = 'superseded';
        throw new Error(`attempt ${attempt} of run ${runId} was superseded by a newer attempt`);
      }
      state.imagesPerSecond = metrics.images_per_second;
      alog.info(
        { epoch: metrics.epoch, valAcc: metrics.val_acc, trainLoss: metrics.train_loss },
        'epoch done',
      );
      // Progress is for BullMQ dashboards only; the run's truth is the event just committed.
      void job.updateProgress({ epoch: metrics.epoch, of: payload.params.epochs }).catch(() => {});
      // Cancellation announced while we were not listening (e.g. a reconnect) is caught here.
      if (commit.cancelled) {
        state.stopReason ??= 'cancelled';
        child.abort('cancelled');
      }
    },
  });
  ctx.running.set(runId, state);
  if (ctx.isShuttingDown()) {
    state.stopReason = 'shutdown';
    child.abort('worker shutting down');
  }

  let outcome: RunEvent['type'];
  try {
    const { aborted } = await finished;
    if (aborted && state.stopReason === 'shutdown') {
      alog.info('handing the run back to the queue for another worker (shutdown)');
      await job.moveToWait(token);
      throw new WaitingError();
    }
    outcome = aborted ? 'cancelled' : 'completed';
    await Promise.all([
      ctx.events.publish({ type: outcome, ...base() }),
      outcome === 'completed' ? ctx.runState.removeCheckpoint(runId) : undefined,
    ]);
    alog.info({ outcome }, `run ${outcome}`);
    return { [outcome]: true };
  } catch (err) {
    if (err instanceof WaitingError) throw err;
    if (state.stopReason === 'superseded') {
      alog.warn('stopping: a newer attempt owns this run');
      throw new UnrecoverableError(`attempt ${attempt} superseded`);
    }
    if (state.stopReason === 'cancelled') {
      await ctx.events.publish({ type: 'cancelled', ...base() });
      return { cancelled: true };
    }
    const message = err instanceof Error ? err.message : String(err);
    const permanent = err instanceof TrainingChildError && err.permanent;
    const maxAttempts = job.opts.attempts ?? 1;
    const willRetry = !permanent && job.attemptsMade + 1 < maxAttempts;
    alog.error(
      { err: message, willRetry, attemptsMade: job.attemptsMade + 1, maxAttempts },
      'run attempt failed',
    );
    await ctx.events.publish({ type: 'failed', ...base(), error: message, will_retry: willRetry });
    throw permanent ? new UnrecoverableError(message) : err;
  } finally {
    ctx.running.delete(runId);
  }
}
