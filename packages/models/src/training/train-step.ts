import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.ts';
import type { ModelDefinition } from '../models/model-definition.ts';
import type { ModelWeights } from '../models/model-weights.ts';
import { profileScope } from '../nn/kernel-profile.ts';
import type { Optimizer } from './optimizer.ts';
import { softmaxCrossEntropy } from './softmax-cross-entropy.ts';

export interface StepResult {
  loss: number;
  correct: number;
}

/**
 * One optimizer step on one batch at `lr` (default: the optimizer's own); returns the batch's mean loss and
 * how many images it classified right.
 */
export function trainStep(
  model: ModelDefinition,
  weights: ModelWeights,
  sgd: Optimizer,
  batch: Batch,
  lr?: number,
): StepResult {
  let predictions: tf.Tensor | undefined;
  // Kernels the tape runs outside any layer's own scope count as (model, backward).
  const { value, grads } = profileScope('(model)', 'backward', () =>
    tf.variableGrads(() => {
      const logits = profileScope('(model)', 'forward', () => model.forward(weights, batch.images));
      return profileScope('loss', 'forward', () => {
        predictions = tf.keep(tf.argMax(logits, 1));
        return softmaxCrossEntropy(logits, batch.oneHot);
      });
    }, weights.variables),
  );
  profileScope('optimizer', 'step', () =>
    sgd.step(
      weights.variables.map((v) => grads[v.name]!),
      lr,
    ),
  );
  // Read results outside any tidy: reading a typed array returned from tidy walks it element by element.
  const loss = value.dataSync()[0]!;
  const predicted = predictions!.dataSync();
  value.dispose();
  predictions!.dispose();
  tf.dispose(grads);
  let correct = 0;
  for (let i = 0; i < batch.size; i++) if (predicted[i] === batch.labels[i]) correct++;
  return { loss, correct };
}
