import { type ConvSpec, convLayer, type DenseSpec, denseLayer, type LayerSpec } from './layer-spec.ts';

/** Width of the hidden convolution inside every residual block of the reference ResNet. */
const HIDDEN_CHANNELS = 30;

/** ResBlock(c) on `size`×`size` maps: conv c→30 5×5, ReLU, conv 30→c 3×3 (plus the identity shortcut). */
export interface ResidualBlockSpec {
  name: string;
  conv1: ConvSpec;
  conv2: ConvSpec;
}

/** One resolution: conv → 2×2 max-pool → ReLU, then residual blocks at the pooled size. */
export interface ResnetStageSpec {
  conv: ConvSpec;
  blocks: ResidualBlockSpec[];
}

/** The reference MNIST ResNet: stages, then two dense layers. `plain` is the same spec without shortcuts. */
export interface ResnetSpec {
  stages: ResnetStageSpec[];
  fc1: DenseSpec;
  fc2: DenseSpec;
}

export function residualBlockSpec(name: string, channels: number, size: number): ResidualBlockSpec {
  return {
    name,
    conv1: convLayer(`${name}.conv1`, channels, HIDDEN_CHANNELS, 5, size),
    conv2: convLayer(`${name}.conv2`, HIDDEN_CHANNELS, channels, 3, size),
  };
}

/**
 * `depth` residual blocks per stage (1 = the reference network). Block names: `block1` alone at depth 1
 * (the names checkpoints carry), then `block1_2`, `block1_3`, … in deeper stages.
 */
function stageBlocks(stage: number, depth: number, channels: number, size: number): ResidualBlockSpec[] {
  return Array.from({ length: depth }, (_, i) =>
    residualBlockSpec(i === 0 ? `block${stage}` : `block${stage}_${i + 1}`, channels, size),
  );
}

export function resnetSpec(depth = 1): ResnetSpec {
  return {
    stages: [
      { conv: convLayer('conv1', 1, 20, 5, 28), blocks: stageBlocks(1, depth, 20, 14) },
      { conv: convLayer('conv2', 20, 15, 3, 14), blocks: stageBlocks(2, depth, 15, 7) },
    ],
    fc1: denseLayer('fc1', 7 * 7 * 15, 245),
    fc2: denseLayer('fc2', 245, 10),
  };
}

export function resnetLayers(spec: ResnetSpec = resnetSpec()): LayerSpec[] {
  return [
    ...spec.stages.flatMap((s) => [s.conv, ...s.blocks.flatMap((b) => [b.conv1, b.conv2])]),
    spec.fc1,
    spec.fc2,
  ];
}
