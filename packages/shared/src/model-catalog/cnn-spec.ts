import { type ConvSpec, convLayer, type DenseSpec, denseLayer, type LayerSpec } from './layer-spec.ts';

/** A block of 3×3 "same" convolutions at one resolution, each followed by ReLU; optionally a 2×2 max-pool. */
export interface CnnBlockSpec {
  convs: ConvSpec[];
  poolAfter: boolean;
}

/** The traditional CNN the paper compares against: conv blocks, then one dense layer on the flat maps. */
export interface CnnSpec {
  blocks: CnnBlockSpec[];
  fc: DenseSpec;
}

function convBlock(name: string, widths: number[], size: number, poolAfter: boolean): CnnBlockSpec {
  const convs = widths.slice(1).map((out, i) => convLayer(`${name}.conv${i + 1}`, widths[i]!, out, 3, size));
  return { convs, poolAfter };
}

export function cnnSpec(): CnnSpec {
  return {
    blocks: [
      convBlock('block1', [1, 8, 8], 28, false),
      convBlock('block2', [8, 16, 32, 32], 28, true),
      convBlock('block3', [32, 16, 32, 32], 14, true),
      convBlock('block4', [32, 256, 256], 7, false),
    ],
    fc: denseLayer('fc', 7 * 7 * 256, 10),
  };
}

export function cnnLayers(spec: CnnSpec = cnnSpec()): LayerSpec[] {
  return [...spec.blocks.flatMap((b) => b.convs), spec.fc];
}
