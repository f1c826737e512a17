import {
  type BackendName,
  codeVersion,
  type EpochMetrics,
  isProgramJob,
  type JobPayload,
  type Logger,
  type ProgramJobPayload,
  parseJobPayload,
  payloadSchemaVersion,
  type RedisKeys,
  type RunEvent,
  TRAIN_JOB_SCHEMA_VERSION,
  type TrainJobPayload,
} from '@sweeplab/shared';
import { DelayedError, type Job, UnrecoverableError, WaitingError } from 'bullmq';
import type { Redis } from 'ioredis';
import { type TrainingChild, TrainingChildError } from './child.ts';
import type { Slot, WorkerConfig } from './config.ts';
import type { EventPublisher } from './event-publisher.ts';
import { ProgramRun } from './program-runner.ts';
import type { ServedProgram } from './programs.ts';
import { RunLogSink } from './run-log-sink.ts';
import type { EpochArtifacts, RunStateStore } from './run-state-store.ts';

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
  /** The user programs this worker runs, by name. */
  programs: ReadonlyMap<string, ServedProgram>;
}

/** Whatever runs an attempt — the slot's training child or a program's process — as the worker drives it. */
export interface RunExecutor {
  readonly pid: number | undefined;
  /** Stop the attempt (cancel, hyperband, shutdown); it then ends with `{ aborted: true }`. */
  abort(reason: string): void;
  /** End it at once (SIGKILL): the worker's drain ran out of time. */
  kill(): void;
}

export interface RunningRun {
  executor: RunExecutor;
  stopReason: 'cancelled' | 'shutdown' | 'superseded' | null;
  imagesPerSecond: number;
}

/**
 * Trains one run for BullMQ. Each pickup takes a new fencing token (the attempt), resumes from the
 * run's last checkpoint when there is one, and reports every epoch through the event stream.
 */
export async function processTrainJob(job: Job, token: string | undefined, slot: Slot, ctx: JobContext) {
  const runId = job.id ?? 'unknown';
  await handBackIfOtherVersion(job, token, runId, ctx);
  const claim = await ctx.runState.claim(runId);
  const payload = await parsePayloadOrFail(job, runId, claim.attempt, ctx);
  const log = ctx.logger.child({
    runId,
    sweepId: payload.sweep_id,
    jobId: job.id,
    workerId: ctx.config.workerId,
    slot: slot.name,
  });
  const run: Attempt = {
    job,
    runId,
    attempt: claim.attempt,
    payload,
    log: log.child({ attempt: claim.attempt }),
    base: () => ({ run_id: runId, attempt: claim.attempt, worker_id: ctx.config.workerId, at: Date.now() }),
  };

  if (claim.cancelled) {
    run.log.info('run was cancelled before it started; skipping');
    await ctx.events.publish({ type: 'cancelled', ...run.base() });
    return { cancelled: true };
  }

  const resumedFrom = claim.checkpoint?.epoch ?? 0;
  // A run starting from scratch must not compare its epochs with the best of an earlier attempt.
  if (!claim.checkpoint) await ctx.runState.resetBest(runId);
  run.log.info(
    { resumedFromEpoch: resumedFrom },
    resumedFrom > 0 ? `resuming from epoch ${resumedFrom}` : 'starting run',
  );
  const { state, finished } = isProgramJob(payload)
    ? runProgram(run, payload, slot, ctx)
    : trainOnChild(run, payload, slot, claim.checkpoint?.data ?? null, resumedFrom, ctx);
  ctx.running.set(runId, state);
  if (ctx.isShuttingDown()) {
    state.stopReason = 'shutdown';
    state.executor.abort('worker shutting down');
  }

  try {
    return await settleOutcome(run, token, state, await finished, ctx);
  } catch (err) {
    return await settleFailure(run, state, err, ctx);
  } finally {
    ctx.running.delete(runId);
  }
}

/** One pickup of a run: what every step of `processTrainJob` needs to know about it. */
interface Attempt {
  job: Job;
  runId: string;
  /** The fencing token of this pickup. */
  attempt: number;
  payload: JobPayload;
  log: Logger;
  /** The fields every event of this attempt carries. */
  base: () => { run_id: string; attempt: number; worker_id: string; at: number };
}

/**
 * A payload of a newer schema version was written by a newer API (a rolling upgrade):
 * training it half-understood would record results for parameters nobody asked for. It goes back to
 * the queue, untouched and without counting as an attempt, for a worker that understands it; the run
 * stays queued, and the log names both versions.
 */
async function handBackIfOtherVersion(job: Job, token: string | undefined, runId: string, ctx: JobContext) {
  const version = payloadSchemaVersion(job.data);
  // Older versions are subsets of this one (version 1 had no programs); only newer ones go back.
  if (version === 'invalid' || version <= TRAIN_JOB_SCHEMA_VERSION) return;
  ctx.logger.warn(
    { jobId: job.id, runId, payloadVersion: version, workerVersion: TRAIN_JOB_SCHEMA_VERSION },
    `job payload schema version ${version} is newer than the version this worker understands ` +
      `(${TRAIN_JOB_SCHEMA_VERSION}); leaving it for a worker of that version`,
  );
  await job.moveToDelayed(Date.now() + ctx.config.WORKER_VERSION_MISMATCH_DELAY_MS, token);
  throw new DelayedError();
}

/** The job's payload; poison input (written to the queue by something other than the API) fails once. */
async function parsePayloadOrFail(
  job: Job,
  runId: string,
  attempt: number,
  ctx: JobContext,
): Promise<JobPayload> {
  const parsed = parseJobPayload(job.data);
  if (parsed.success) return parsed.data;
  const reason = parsed.error.issues
    .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
    .join('; ');
  const message = `invalid job payload: ${reason}`;
  ctx.logger.error({ jobId: job.id, runId }, message);
  // Poison input: fail once, clearly, and never retry.
  await ctx.events.publish({
    type: 'failed',
    run_id: runId,
    attempt,
    worker_id: ctx.config.workerId,
    at: Date.now(),
    error: message,
    will_retry: false,
  });
  throw new UnrecoverableError(message);
}

/**
 * Hands the run to the slot's training child. Every epoch is committed (fenced by the attempt) before
 * the child trains on; a commit refused because a newer attempt owns the run stops this one.
 */
function trainOnChild(
  run: Attempt,
  payload: TrainJobPayload,
  slot: Slot,
  resumeFrom: Uint8Array | null,
  resumedFrom: number,
  ctx: JobContext,
): { state: RunningRun; finished: Promise<{ aborted: boolean }> } {
  const { config } = ctx;
  const { runId, attempt, log } = run;
  const child = ctx.childFor(slot);
  const state: RunningRun = { executor: child, stopReason: null, imagesPerSecond: 0 };
  const finished = child.run({
    payload,
    resumeFrom,
    start: {
      backend: config.TFJS_BACKEND,
      trainer: config.WORKER_TRAINER,
      syntheticEpochMs: config.SYNTHETIC_EPOCH_MS,
      syntheticFault: config.SYNTHETIC_FAULT ?? null,
    },
    onStarted: async (info) => {
      ctx.noteBackend(info.backend);
      log.info({ backend: info.backend, device: info.device, pid: child.pid }, 'training child started');
      await ctx.events.publish({
        type: 'started',
        ...run.base(),
        backend: info.backend,
        tfjs_version: info.tfjsVersion,
        device: info.device,
        resumed_from_epoch: resumedFrom,
      });
    },
    onEpoch: async (metrics, blob) => {
      const commit = await ctx.runState.commitEpoch(
        runId,
        attempt,
        metrics.epoch,
        blob,
        { type: 'epoch', ...run.base(), metrics },
        epochArtifacts(run, payload, metrics, config),
      );
      if (!commit.stored) {
        state.stopReason = 'superseded';
        throw new Error(`attempt ${attempt} of run ${runId} was superseded by a newer attempt`);
      }
      state.imagesPerSecond = metrics.images_per_second;
      log.info(
        { epoch: metrics.epoch, valAcc: metrics.val_acc, trainLoss: metrics.train_loss },
        'epoch done',
      );
      // Progress is for BullMQ dashboards only; the run's truth is the event just committed.
      void run.job.updateProgress({ epoch: metrics.epoch, of: payload.params.epochs }).catch(() => {});
      // Cancellation announced while we were not listening (e.g. a reconnect) is caught here.
      if (commit.cancelled) {
        state.stopReason ??= 'cancelled';
        child.abort('cancelled');
      }
    },
  });
  return { state, finished };
}

/**
 * The weights an epoch offers as artifacts: always a `best` candidate (kept only if the sweep's metric
 * improved) and, at the last epoch, `final`. Only real training produces weights worth keeping.
 */
function epochArtifacts(
  run: Attempt,
  payload: TrainJobPayload,
  metrics: EpochMetrics,
  config: WorkerConfig,
): EpochArtifacts | null {
  if (config.WORKER_TRAINER !== 'tfjs') return null;
  const metric = payload.metric ?? { name: 'val_acc', goal: 'maximize' };
  const artifact = (kind: 'best' | 'final') => ({
    type: 'artifact' as const,
    ...run.base(),
    kind,
    epoch: metrics.epoch,
    metric_name: metric.name,
    metric_value: metrics[metric.name],
    val_acc: metrics.val_acc,
    code_version: codeVersion(),
  });
  return {
    metricValue: metrics[metric.name],
    goal: metric.goal,
    best: artifact('best'),
    final: metrics.epoch === payload.params.epochs ? artifact('final') : null,
  };
}

/** Stands in until a program's process exists (and for a job this worker cannot run). */
const IDLE_EXECUTOR: RunExecutor = { pid: undefined, abort: () => {}, kill: () => {} };

/**
 * Starts the run's program (issue #21). Every logged step is committed fenced by the attempt before the
 * next is read; a commit refused because a newer attempt owns the run stops this one.
 */
function runProgram(
  run: Attempt,
  payload: ProgramJobPayload,
  slot: Slot,
  ctx: JobContext,
): { state: RunningRun; finished: Promise<{ aborted: boolean }> } {
  const { runId, attempt, log } = run;
  const program = ctx.programs.get(payload.program);
  if (!program) {
    // Routing keeps other programs' jobs away; a job put on this queue by hand fails clearly, once.
    const error = new TrainingChildError(
      `this worker does not serve program ${payload.program}`,
      'program-unknown',
    );
    return {
      state: { executor: IDLE_EXECUTOR, stopReason: null, imagesPerSecond: 0 },
      finished: Promise.reject(error),
    };
  }
  const state: RunningRun = {
    executor: IDLE_EXECUTOR,
    stopReason: null,
    imagesPerSecond: 0,
  };
  const logs = new RunLogSink(ctx.redis, ctx.keys, runId, attempt, ctx.config.CHECKPOINT_TTL_MS);
  const programRun = new ProgramRun({
    program,
    payload,
    attempt,
    gpu: slot.gpu,
    stopGraceMs: ctx.config.WORKER_STOP_GRACE_MS,
    onOutput: (stream, chunk) => logs.write(stream, chunk),
    onStarted: async ({ pid }) => {
      log.info({ program: program.name, pid }, 'program started');
      await ctx.events.publish({
        type: 'started',
        ...run.base(),
        backend: 'cpu',
        tfjs_version: `none (program ${program.name})`,
        device: slot.gpu === null ? 'cpu' : `gpu ${slot.gpu}`,
        resumed_from_epoch: 0,
      });
    },
    onLog: async (step, values) => {
      const commit = await ctx.runState.commitFenced(runId, attempt, {
        type: 'metrics',
        ...run.base(),
        step,
        values,
      });
      if (!commit.stored) {
        state.stopReason = 'superseded';
        throw new Error(`attempt ${attempt} of run ${runId} was superseded by a newer attempt`);
      }
      if (commit.cancelled && !state.stopReason) {
        state.stopReason = 'cancelled';
        programRun.abort('cancelled');
      }
    },
  });
  state.executor = programRun;
  const finished = programRun.run();
  // The outcome waits for the last lines, so a run's logs are complete once it has ended.
  return { state, finished: finished.finally(() => logs.close()) };
}

/** The child finished or stopped: completed, cancelled, or (on shutdown) handed back to the queue. */
async function settleOutcome(
  run: Attempt,
  token: string | undefined,
  state: RunningRun,
  { aborted }: { aborted: boolean },
  ctx: JobContext,
) {
  if (aborted && state.stopReason === 'shutdown') {
    run.log.info('handing the run back to the queue for another worker (shutdown)');
    await run.job.moveToWait(token);
    throw new WaitingError();
  }
  const outcome: RunEvent['type'] = aborted ? 'cancelled' : 'completed';
  await Promise.all([
    ctx.events.publish({ type: outcome, ...run.base() }),
    outcome === 'completed' ? ctx.runState.removeCheckpoint(run.runId) : undefined,
  ]);
  run.log.info({ outcome }, `run ${outcome}`);
  return { [outcome]: true };
}

/**
 * The attempt failed: superseded (another attempt owns the run), cancelled meanwhile, or a failure
 * that is retried unless it is permanent or the attempts are used up.
 */
async function settleFailure(run: Attempt, state: RunningRun, err: unknown, ctx: JobContext) {
  if (err instanceof WaitingError) throw err;
  if (state.stopReason === 'superseded') {
    run.log.warn('stopping: a newer attempt owns this run');
    throw new UnrecoverableError(`attempt ${run.attempt} superseded`);
  }
  if (state.stopReason === 'cancelled') {
    await ctx.events.publish({ type: 'cancelled', ...run.base() });
    return { cancelled: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  let permanent = err instanceof TrainingChildError ? err.permanent : null;
  // A program's own failure is retried only as often as its sweep asks (`retries: N`).
  const retries = isProgramJob(run.payload) ? (run.payload.retries ?? 0) : 0;
  if (permanent === 'program-failed' && run.job.attemptsMade < retries) permanent = null;
  const maxAttempts = run.job.opts.attempts ?? 1;
  const willRetry = !permanent && run.job.attemptsMade + 1 < maxAttempts;
  run.log.error(
    { err, permanent, willRetry, attemptsMade: run.job.attemptsMade + 1, maxAttempts },
    'run attempt failed',
  );
  await ctx.events.publish({ type: 'failed', ...run.base(), error: message, will_retry: willRetry });
  throw permanent ? new UnrecoverableError(message) : err;
}
