import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, makeBatch } from '../data/batch.ts';
import type { LabelledImages } from '../data/dataset-loader.ts';
import type { ModelDefinition } from '../models/model-definition.ts';
import type { ModelWeights } from '../models/model-weights.ts';
import { softmaxCrossEntropyPerExample } from './softmax-cross-entropy.ts';

export interface Evaluation {
  /** Mean loss over all images. */
  loss: number;
  accuracy: number;
  seconds: number;
}

/** Loss and accuracy over `indices` of a split, in batches that only bound memory. */
export async function evaluate(
  model: ModelDefinition,
  weights: ModelWeights,
  split: LabelledImages,
  indices: Uint32Array,
  batchSize: number,
): Promise<Evaluation> {
  const started = performance.now();
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = makeBatch(split, indices, start, Math.min(start + batchSize, indices.length));
    const [losses, predictions] = tf.tidy(() => {
      const logits = model.forward(weights, batch.images);
      return [tf.sum(softmaxCrossEntropyPerExample(logits, batch.oneHot)), tf.argMax(logits, 1)];
    });
    lossSum += losses.dataSync()[0]!;
    const predicted = predictions.dataSync();
    for (let i = 0; i < batch.size; i++) if (predicted[i] === batch.labels[i]) correct++;
    tf.dispose([losses, predictions]);
    disposeBatch(batch);
    await yieldToEventLoop();
  }
  return {
    loss: lossSum / indices.length,
    accuracy: correct / indices.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Lets timers, sockets and abort signals run between batches of synchronous tensor work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
