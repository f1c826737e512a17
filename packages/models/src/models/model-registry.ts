import { MODEL_CATALOG, MODEL_NAMES, type ModelName, resnetSpec } from '@sweeplab/shared';
import { cnnModel } from './cnn.ts';
import type { ModelDefinition } from './model-definition.ts';
import { resnetModel } from './resnet.ts';

/** The TF.js forward pass of each catalog model, built from the catalog's layer specs. */
const BUILDERS: Record<ModelName, (depth: number) => Omit<ModelDefinition, 'name' | 'description'>> = {
  cnn: () => cnnModel(),
  resnet: (depth) => resnetModel({ shortcut: true }, resnetSpec(depth)),
  plain: (depth) => resnetModel({ shortcut: false }, resnetSpec(depth)),
};

export const MODEL_REGISTRY: Readonly<Record<ModelName, ModelDefinition>> = Object.fromEntries(
  MODEL_NAMES.map((name) => [
    name,
    { name, description: MODEL_CATALOG[name].description, ...BUILDERS[name](1) },
  ]),
) as Record<ModelName, ModelDefinition>;

/** The named model; `depth` (residual blocks per stage) applies to resnet and plain, 1 is the reference. */
export function getModel(name: ModelName, depth = 1): ModelDefinition {
  if (depth !== 1) {
    if (!MODEL_CATALOG[name]?.hasDepth)
      throw new Error(`model ${name} has a fixed depth (got depth ${depth})`);
    const description = `${MODEL_CATALOG[name].description}, ${depth} residual blocks per stage`;
    return { name, description, ...BUILDERS[name](depth) };
  }
  const model = MODEL_REGISTRY[name];
  if (!model)
    throw new Error(
      `unknown model ${JSON.stringify(name)}; known: ${Object.keys(MODEL_REGISTRY).join(', ')}`,
    );
  return model;
}
