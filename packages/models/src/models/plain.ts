import type { ModelDefinition } from './model-definition.ts';
import { resnetForward, resnetOfDepth } from './resnet.ts';

/** The ResNet of the same depth with every shortcut removed: same layers and parameters, no identity path. */
export function plainOfDepth(depth: number): ModelDefinition {
  return {
    name: 'plain',
    description:
      depth === 1
        ? 'The ResNet without its two shortcut connections'
        : `The ${depth}-blocks-per-stage ResNet without its shortcut connections`,
    layers: resnetOfDepth(depth).layers,
    forward: (weights, images) => resnetForward(weights, images, { shortcut: false, depth }),
  };
}

export const plain: ModelDefinition = plainOfDepth(1);
