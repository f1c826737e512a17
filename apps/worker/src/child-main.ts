/**
 * Entry point of a training child process. The parent (the worker) owns every Redis connection and the
 * job lock; this process only trains, so a long synchronous TF.js step can never starve the lock
 * renewal, and a crash or OOM here costs the worker nothing. A child stays warm between jobs (its
 * backend and datasets are loaded once) and is replaced after an error or a number of jobs.
 */
import { BackendPreference, type EpochMetrics, permanentFailureCode } from '@sweeplab/shared';
import { type ChildToParent, ParentToChild } from './child-protocol.ts';
import { trainSynthetic } from './synthetic-trainer.ts';

if (!process.send) {
  console.error('the training child must be started by the worker with an IPC channel');
  process.exit(2);
}

let abort = new AbortController();
let busy = false;
let pendingAck: { epoch: number; resolve: () => void } | null = null;

function send(message: ChildToParent): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send?.(message, undefined, {}, (err) => (err ? reject(err) : resolve())),
  );
}

async function train(message: Extract<ParentToChild, { type: 'start' }>): Promise<boolean> {
  const params = message.payload.params;
  const onEpoch = async (metrics: EpochMetrics, checkpoint: Uint8Array) => {
    const acked = new Promise<void>((resolve) => {
      pendingAck = { epoch: metrics.epoch, resolve };
    });
    await send({ type: 'epoch', metrics, checkpoint });
    await acked;
  };
  if (message.trainer === 'synthetic') {
    await send({ type: 'started', backend: 'cpu', tfjsVersion: 'none (synthetic)', device: 'synthetic' });
    const { aborted } = await trainSynthetic({
      params,
      epochMs: message.syntheticEpochMs,
      resumeFrom: message.resumeFrom,
      fault: message.syntheticFault,
      signal: abort.signal,
      onEpoch,
    });
    return aborted;
  }
  const models = await import('@sweeplab/models');
  const info = models.currentBackend() ?? (await models.initBackend(message.backend));
  await send({ type: 'started', backend: info.backend, tfjsVersion: info.tfjsVersion, device: info.device });
  const { aborted } = await models.trainRun({
    params,
    ...(message.resumeFrom ? { resumeFrom: message.resumeFrom } : {}),
    signal: abort.signal,
    onEpoch,
  });
  return aborted;
}

async function start(message: Extract<ParentToChild, { type: 'start' }>): Promise<void> {
  busy = true;
  abort = new AbortController();
  try {
    const aborted = await train(message);
    await send({ type: 'done', aborted });
  } catch (err) {
    if (abort.signal.aborted) {
      await send({ type: 'done', aborted: true });
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      await send({
        type: 'error',
        message: `${e.name}: ${e.message}`,
        // Errors that retrying cannot fix fail the run at once instead of burning attempts.
        permanent: permanentFailureCode(err),
      });
      // After an unexpected error the TF.js state is not to be trusted: the worker starts a fresh child.
      process.exit(1);
    }
  } finally {
    busy = false;
    pendingAck = null;
  }
}

process.on('message', (raw) => {
  const parsed = ParentToChild.safeParse(raw);
  if (!parsed.success) {
    console.error(`training child: unexpected message from worker: ${parsed.error.message}`);
    return;
  }
  const message = parsed.data;
  if (message.type === 'start') {
    if (busy) console.error('training child: start while busy; ignored');
    else void start(message);
  } else if (message.type === 'abort') abort.abort(new Error(message.reason));
  else if (message.type === 'epoch-ack' && pendingAck?.epoch === message.epoch) {
    const { resolve } = pendingAck;
    pendingAck = null;
    resolve();
  }
});
// The worker died: nobody can store our epochs, so stop rather than train into the void.
process.on('disconnect', () => process.exit(3));

// Warm up before the first job: a real trainer loads TF.js and its backend now, off the job's clock.
if (process.env.SWEEPLAB_CHILD_TRAINER === 'tfjs') {
  const models = await import('@sweeplab/models');
  await models.initBackend(BackendPreference.parse(process.env.TFJS_BACKEND ?? 'auto'));
}
await send({ type: 'ready' });
