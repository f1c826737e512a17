import type { ModelName } from '@sweeplab/shared';
import { cnn } from './cnn.ts';
import { layerForwardMacs, layerParameterCount } from './layer-spec.ts';
import type { ModelDefinition } from './model-definition.ts';
import { plain, plainOfDepth } from './plain.ts';
import { resnet, resnetOfDepth } from './resnet.ts';

export const MODEL_REGISTRY: Readonly<Record<ModelName, ModelDefinition>> = { cnn, resnet, plain };

/** The named model; `depth` (residual blocks per stage) applies to resnet and plain, 1 is the reference. */
export function getModel(name: ModelName, depth = 1): ModelDefinition {
  if (depth !== 1) {
    if (name === 'resnet') return resnetOfDepth(depth);
    if (name === 'plain') return plainOfDepth(depth);
    throw new Error(`model ${name} has a fixed depth (got depth ${depth})`);
  }
  const model = MODEL_REGISTRY[name];
  if (!model)
    throw new Error(
      `unknown model ${JSON.stringify(name)}; known: ${Object.keys(MODEL_REGISTRY).join(', ')}`,
    );
  return model;
}

export function parameterCount(model: ModelName, depth = 1): number {
  return getModel(model, depth).layers.reduce((sum, layer) => sum + layerParameterCount(layer), 0);
}

/** Multiply-accumulates of one image's forward pass (convolutions and dense layers). */
export function forwardMacs(model: ModelName, depth = 1): number {
  return getModel(model, depth).layers.reduce((sum, layer) => sum + layerForwardMacs(layer), 0);
}
