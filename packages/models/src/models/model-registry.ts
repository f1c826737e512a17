import { MODEL_CATALOG, MODEL_NAMES, type ModelName } from '@sweeplab/shared';
import { cnnModel } from './cnn.ts';
import type { ModelDefinition } from './model-definition.ts';
import { resnetModel } from './resnet.ts';

/** The TF.js forward pass of each catalog model, built from the catalog's layer specs. */
const BUILDERS: Record<ModelName, () => Omit<ModelDefinition, 'name' | 'description'>> = {
  cnn: () => cnnModel(),
  resnet: () => resnetModel({ shortcut: true }),
  plain: () => resnetModel({ shortcut: false }),
};

export const MODEL_REGISTRY: Readonly<Record<ModelName, ModelDefinition>> = Object.fromEntries(
  MODEL_NAMES.map((name) => [
    name,
    { name, description: MODEL_CATALOG[name].description, ...BUILDERS[name]() },
  ]),
) as Record<ModelName, ModelDefinition>;

export function getModel(name: ModelName): ModelDefinition {
  const model = MODEL_REGISTRY[name];
  if (!model)
    throw new Error(
      `unknown model ${JSON.stringify(name)}; known: ${Object.keys(MODEL_REGISTRY).join(', ')}`,
    );
  return model;
}
