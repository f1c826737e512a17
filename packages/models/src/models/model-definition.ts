import type { LayerSpec, ModelName } from '@sweeplab/shared';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelWeights } from './model-weights.ts';

/** A model is its list of layers (what has weights) and a forward pass that reads like the paper. */
export interface ModelDefinition {
  name: ModelName;
  description: string;
  layers: readonly LayerSpec[];
  /** (B, 28, 28, 1) images in [0, 1] → (B, 10) logits. */
  forward(weights: ModelWeights, images: tf.Tensor4D): tf.Tensor2D;
}
