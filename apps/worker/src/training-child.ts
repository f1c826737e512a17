/**
 * Entry point of the child process that trains one run. The parent (the worker) owns every Redis
 * connection and the job lock; this process only trains, so a long synchronous TF.js step can never
 * starve the lock renewal, and a crash or OOM here costs the worker nothing.
 */
import type { EpochMetrics } from '@sweeplab/shared';
import { type ChildToParent, ParentToChild } from './child-protocol.ts';
import { trainSynthetic } from './synthetic-trainer.ts';

if (!process.send) {
  console.error('training-child must be started by the worker with an IPC channel');
  process.exit(2);
}

const abort = new AbortController();
let pendingAck: { epoch: number; resolve: () => void } | null = null;

function send(message: ChildToParent): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send?.(message, undefined, {}, (err) => (err ? reject(err) : resolve())),
  );
}

// Errors that retrying on another machine cannot fix: fail the run at once instead of burning attempts.
const PERMANENT_ERRORS = new Set(['ConfigError', 'DatasetFileError', 'CheckpointError', 'ZodError']);

async function start(message: Extract<ParentToChild, { type: 'start' }>): Promise<void> {
  const params = message.payload.params;
  const onEpoch = async (metrics: EpochMetrics, checkpoint: Uint8Array) => {
    const acked = new Promise<void>((resolve) => {
      pendingAck = { epoch: metrics.epoch, resolve };
    });
    await send({ type: 'epoch', metrics, checkpoint });
    await acked;
  };
  try {
    let aborted: boolean;
    if (message.trainer === 'synthetic') {
      await send({ type: 'started', backend: 'cpu', tfjsVersion: 'none (synthetic)', device: 'synthetic' });
      ({ aborted } = await trainSynthetic({
        params,
        epochMs: message.syntheticEpochMs,
        fault: message.syntheticFault,
        resumeFrom: message.resumeFrom,
        signal: abort.signal,
        onEpoch,
      }));
    } else {
      const models = await import('@sweeplab/models');
      const info = await models.initBackend(message.backend);
      await send({
        type: 'started',
        backend: info.backend,
        tfjsVersion: info.tfjsVersion,
        device: info.device,
      });
      ({ aborted } = await models.trainRun({
        params,
        ...(message.resumeFrom ? { resumeFrom: message.resumeFrom } : {}),
        signal: abort.signal,
        onEpoch,
      }));
    }
    await send({ type: 'done', aborted });
    process.exit(0);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (abort.signal.aborted) {
      await send({ type: 'done', aborted: true });
      process.exit(0);
    }
    await send({
      type: 'error',
      message: `${e.name}: ${e.message}`,
      permanent: PERMANENT_ERRORS.has(e.name),
    });
    process.exit(1);
  }
}

process.on('message', (raw) => {
  const parsed = ParentToChild.safeParse(raw);
  if (!parsed.success) {
    console.error(`training-child: unexpected message from worker: ${parsed.error.message}`);
    return;
  }
  const message = parsed.data;
  if (message.type === 'start') void start(message);
  else if (message.type === 'abort') abort.abort(new Error(message.reason));
  else if (message.type === 'epoch-ack' && pendingAck?.epoch === message.epoch) {
    const { resolve } = pendingAck;
    pendingAck = null;
    resolve();
  }
});
// The worker died: nobody can store our epochs, so stop rather than train into the void.
process.on('disconnect', () => process.exit(3));
