import type { EpochMetrics, RunParams } from '@sweeplab/shared';
import { createPrng, learningRateAt, RunParams as RunParamsSchema, shuffledIndices } from '@sweeplab/shared';
import { type BackendInfo, currentBackend, initBackend } from '../backend/backend.ts';
import { TRAINING_DEFAULTS, trainingConfig } from '../config.ts';
import { disposeBatch, makeBatch } from '../data/batch.ts';
import { CLASS_COUNT } from '../data/dataset-files.ts';
import { type DatasetDirs, type LabelledImages, loadDataset } from '../data/dataset-loader.ts';
import { stratifiedSubset } from '../data/stratified-subset.ts';
import { getModel } from '../models/model-registry.ts';
import { ModelWeights } from '../models/model-weights.ts';
import { assertCheckpointMatches, decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import { evaluate, yieldToEventLoop } from './evaluate.ts';
import { createOptimizer } from './optimizer.ts';
import { trainStep } from './train-step.ts';

export interface TrainRunOptions {
  params: RunParams;
  /** A checkpoint blob from a previous attempt of the same run; training continues after its epoch. */
  resumeFrom?: Uint8Array;
  /** Checked between batches. An abort makes trainRun resolve with `aborted: true` (it does not reject). */
  signal?: AbortSignal;
  /** Dataset folders; default to MNIST_DIR / FASHION_MNIST_DIR, then the packaged copies. */
  dataDir?: DatasetDirs;
  /** Awaited before the next epoch starts; `checkpoint` resumes the run after this epoch. */
  onEpoch: (metrics: EpochMetrics, checkpoint: Uint8Array) => Promise<void>;
}

export interface TrainRunResult {
  /** Metrics of the epochs run by this call (after the resumed epoch, if any). */
  epochs: EpochMetrics[];
  aborted: boolean;
  backend: BackendInfo;
}

/**
 * Trains one run: the run's optimizer and lr schedule (lr-schedule.ts) on the (optionally stratified-subset) training split, validation on the test
 * split after every epoch. Epoch e's shuffle depends only on (seed, e), so a resumed run repeats the
 * uninterrupted one exactly on the same backend.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const params = RunParamsSchema.parse(options.params);
  const backend = currentBackend() ?? (await initBackend(trainingConfig().TFJS_BACKEND));
  const model = getModel(params.model, params.depth);
  const dataset = loadDataset(params.dataset, options.dataDir);
  const trainIndices = subsetIndices(dataset.train, params.train_subset);
  const valIndices = subsetIndices(dataset.test, params.val_subset);

  const resumed = options.resumeFrom ? decodeCheckpoint(options.resumeFrom) : undefined;
  if (resumed) assertCheckpointMatches(resumed, params);
  const weights = resumed
    ? ModelWeights.fromArrays(model.layers, resumed.weights)
    : ModelWeights.initialise(model.layers, params.seed);
  const optimizer = createOptimizer(weights.variables, params);
  const epochs: EpochMetrics[] = [];
  try {
    if (resumed) optimizer.loadState(weights.names, resumed.optimizer);
    for (let epoch = (resumed?.epoch ?? 0) + 1; epoch <= params.epochs; epoch++) {
      if (options.signal?.aborted) return { epochs, aborted: true, backend };
      const started = performance.now();
      const lr = learningRateAt(params, epoch);
      const order = shuffledIndices(trainIndices.length, createPrng(params.seed, 'shuffle', epoch));
      const epochIndices = order.map((i) => trainIndices[i]!);
      let lossSum = 0;
      let batches = 0;
      let correct = 0;
      for (let start = 0; start < epochIndices.length; start += params.batch_size) {
        await yieldToEventLoop();
        if (options.signal?.aborted) return { epochs, aborted: true, backend };
        const batch = makeBatch(
          dataset.train,
          epochIndices,
          start,
          Math.min(start + params.batch_size, epochIndices.length),
        );
        const step = trainStep(model, weights, optimizer, batch, lr);
        disposeBatch(batch);
        lossSum += step.loss;
        correct += step.correct;
        batches++;
      }
      const trainSeconds = (performance.now() - started) / 1000;
      const validation = await evaluate(
        model,
        weights,
        dataset.test,
        valIndices,
        TRAINING_DEFAULTS.evalBatchSize,
      );
      const metrics: EpochMetrics = {
        epoch,
        train_loss: lossSum / batches,
        train_acc: correct / epochIndices.length,
        val_loss: validation.loss,
        val_acc: validation.accuracy,
        epoch_seconds: (performance.now() - started) / 1000,
        images_per_second: epochIndices.length / trainSeconds,
        epoch_lr: lr,
      };
      const checkpoint = encodeCheckpoint({
        model: params.model,
        params,
        epoch,
        backend: backend.backend,
        weights: weights.toArrays(),
        optimizer: optimizer.stateArrays(weights.names),
      });
      epochs.push(metrics);
      await options.onEpoch(metrics, checkpoint);
    }
    return { epochs, aborted: false, backend };
  } finally {
    optimizer.dispose();
    weights.dispose();
  }
}

function subsetIndices(split: LabelledImages, size: number | null | undefined): Uint32Array {
  if (size === null || size === undefined || size >= split.count)
    return Uint32Array.from({ length: split.count }, (_, i) => i);
  return stratifiedSubset(split.labels, size, CLASS_COUNT);
}
