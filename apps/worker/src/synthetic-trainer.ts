import { setTimeout as sleep } from 'node:timers/promises';
import {
  type EpochMetrics,
  learningRateAt,
  PermanentError,
  type RunParams,
  syntheticEpochMetrics,
} from '@sweeplab/shared';

/**
 * A stand-in for training that costs a fixed time per epoch and no compute, so benchmarks and fault
 * tests measure the orchestrator rather than TF.js. Its "checkpoint" is the epoch number, which is all
 * the state it has; metrics are a deterministic function of (seed, epoch) so resumed runs match.
 */
export async function trainSynthetic(options: {
  params: RunParams;
  epochMs: number;
  resumeFrom: Uint8Array | null;
  /** See SYNTHETIC_FAULT in config.ts. */
  fault?: string | null;
  signal: AbortSignal;
  onEpoch: (metrics: EpochMetrics, checkpoint: Uint8Array) => Promise<void>;
}): Promise<{ aborted: boolean }> {
  const { params, epochMs, signal } = options;
  const startEpoch = options.resumeFrom ? decodeSyntheticCheckpoint(options.resumeFrom) : 0;
  for (let epoch = startEpoch + 1; epoch <= params.epochs; epoch++) {
    const started = performance.now();
    try {
      if (epochMs > 0) await sleep(epochMs, undefined, { signal });
    } catch {
      return { aborted: true };
    }
    if (signal.aborted) return { aborted: true };
    injectFault(options.fault, epoch, params.seed);
    const seconds = (performance.now() - started) / 1000;
    // The made-up response surface (lr, momentum, batch size) is documented where it is defined.
    const metrics: EpochMetrics = {
      ...syntheticEpochMetrics(params, epoch),
      epoch_seconds: seconds,
      images_per_second: seconds > 0 ? (params.train_subset ?? 60_000) / seconds : 0,
      epoch_lr: learningRateAt(params, epoch),
    };
    await options.onEpoch(metrics, encodeSyntheticCheckpoint(epoch));
  }
  return { aborted: false };
}

export function encodeSyntheticCheckpoint(epoch: number): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ synthetic: 1, epoch }));
}

/** The synthetic trainer's CheckpointError: a foreign checkpoint stays foreign on every retry. */
export class SyntheticCheckpointError extends PermanentError {
  override name = 'SyntheticCheckpointError';
  readonly code = 'checkpoint';
}

export function decodeSyntheticCheckpoint(blob: Uint8Array): number {
  let parsed: { synthetic?: number; epoch?: number } = {};
  try {
    parsed = JSON.parse(new TextDecoder().decode(blob));
  } catch {
    // not JSON: reported below like any other foreign blob
  }
  if (parsed?.synthetic !== 1 || typeof parsed.epoch !== 'number') {
    throw new SyntheticCheckpointError('checkpoint was not written by the synthetic trainer');
  }
  return parsed.epoch;
}

/** Fails the way real training children fail, so the worker's handling of each can be tested. */
function injectFault(fault: string | null | undefined, epoch: number, seed: number): void {
  const match = fault ? /^(throw|exit|oom)@(\d+)(?::seed=(\d+))?$/.exec(fault) : null;
  if (!match || Number(match[2]) !== epoch || (match[3] !== undefined && Number(match[3]) !== seed)) return;
  if (match[1] === 'throw') throw new Error(`injected fault at epoch ${epoch}`);
  if (match[1] === 'exit') process.exit(7);
  // Grow the heap until V8 gives up, as a model too large for the machine would.
  const hoard: number[][] = [];
  for (;;) hoard.push(new Array(1_000_000).fill(epoch));
}
