import type { ModelName } from '@sweeplab/shared';
import { cnn } from './cnn.ts';
import { layerForwardMacs, layerParameterCount } from './layer-spec.ts';
import type { ModelDefinition } from './model-definition.ts';
import { plain } from './plain.ts';
import { resnet } from './resnet.ts';

export const MODEL_REGISTRY: Readonly<Record<ModelName, ModelDefinition>> = { cnn, resnet, plain };

export function getModel(name: ModelName): ModelDefinition {
  const model = MODEL_REGISTRY[name];
  if (!model)
    throw new Error(
      `unknown model ${JSON.stringify(name)}; known: ${Object.keys(MODEL_REGISTRY).join(', ')}`,
    );
  return model;
}

export function parameterCount(model: ModelName): number {
  return getModel(model).layers.reduce((sum, layer) => sum + layerParameterCount(layer), 0);
}

/** Multiply-accumulates of one image's forward pass (convolutions and dense layers). */
export function forwardMacs(model: ModelName): number {
  return getModel(model).layers.reduce((sum, layer) => sum + layerForwardMacs(layer), 0);
}
