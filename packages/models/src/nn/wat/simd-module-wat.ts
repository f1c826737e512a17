import { WINOGRAD_TILE_TRANSFORMS } from '../winograd-variants.ts';
import { backwardKernelsWat } from './backward-kernels-wat.ts';
import { planeGemmWat } from './plane-gemm-wat.ts';
import { tileTransformWat } from './tile-transform-wat.ts';
import { transposeWat } from './transpose-wat.ts';

/**
 * The text of the one SIMD module (simd-module.ts assembles it): it imports the wasm backend's memory,
 * so every function reads and writes tensors in place. `npm run wat:dump -w @sweeplab/models` writes it
 * out; simd-module-wat.test.ts holds it to the committed digests.
 */
export function simdModuleWat(): string {
  return [
    '(module',
    '(import "env" "memory" (memory 1))',
    ...WINOGRAD_TILE_TRANSFORMS.map(tileTransformWat),
    transposeWat(),
    planeGemmWat(),
    backwardKernelsWat(),
    ')',
  ].join('\n');
}
