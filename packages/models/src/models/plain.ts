import type { ModelDefinition } from './model-definition.ts';
import { resnet, resnetForward } from './resnet.ts';

/** The ResNet with both shortcuts removed: same layers and parameters, no identity path. */
export const plain: ModelDefinition = {
  name: 'plain',
  description: 'The ResNet without its two shortcut connections',
  layers: resnet.layers,
  forward: (weights, images) => resnetForward(weights, images, { shortcut: false }),
};
