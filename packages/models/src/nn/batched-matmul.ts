import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/**
 * C[b] = A[b]·B[b] for every b, each product on XNNPACK's GEMM. The wasm backend's own BatchMatMul runs
 * XNNPACK only when the batch is 1 and falls back to a naive loop (≈1.2 GMAC/s against ≈15) otherwise,
 * and slicing the batch apart first costs more than the products (its Slice is a generic loop). So each
 * slice is registered with the wasm module as a view of the operands' memory (an id pointing into the
 * tensor, nothing copied) and the backend's 2-D path is called on the views. The views are unregistered
 * right after, which also drops the XNNPACK operator the backend caches per weights id.
 */
const KERNEL = 'SweeplabBatchedMatMul';

type WasmBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

interface WasmInternals {
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: BackendWasm['wasm'] & {
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
}

let batchMatMul2d: WasmBatchMatMul | undefined;

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

function shapes(a: number[], b: number[]): { batch: number; m: number; k: number; n: number } {
  if (a.length !== 3 || b.length !== 3 || a[0] !== b[0] || a[2] !== b[1]) {
    throw new Error(`${KERNEL}: cannot multiply ${a.join('×')} by ${b.join('×')} slice by slice`);
  }
  return { batch: a[0]!, m: a[1]!, k: a[2]!, n: b[2]! };
}

tf.registerKernel({
  kernelName: KERNEL,
  backendName: 'wasm',
  setupFunc: (backend) => {
    const module = (backend as BackendWasm).wasm as unknown as {
      cwrap(name: string, returns: null, args: string[]): unknown;
    };
    batchMatMul2d = module.cwrap(tf.BatchMatMul, null, [
      'number',
      'array',
      'number',
      'number',
      'array',
      'number',
      'number',
      'number',
      'number',
    ]) as WasmBatchMatMul;
  },
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as BackendWasm;
    const internals = wasm as unknown as WasmInternals;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { batch, m, k, n } = shapes(a.shape, b.shape);
    const out = wasm.makeOutput([batch, m, n], 'float32');
    const [aAt, bAt, outAt] = [a, b, out].map((t) => internals.dataIdMap.get(t.dataId).memoryOffset) as [
      number,
      number,
      number,
    ];
    const aShape = shapeBytes([1, m, k]);
    const bShape = shapeBytes([1, k, n]);
    const view = (offset: number, size: number) => {
      const id = internals.dataIdNextNumber++;
      internals.wasm.tfjs.registerTensor(id, size, offset);
      return id;
    };
    for (let i = 0; i < batch; i++) {
      const ids = [
        view(aAt + i * m * k * 4, m * k),
        view(bAt + i * k * n * 4, k * n),
        view(outAt + i * m * n * 4, m * n),
      ];
      try {
        batchMatMul2d!(ids[0]!, aShape, 3, ids[1]!, bShape, 3, false, false, ids[2]!);
      } finally {
        for (const id of ids) internals.wasm.tfjs.disposeData(id);
      }
    }
    return out;
  },
});

/** (B, M, K)·(B, K, N) → (B, M, N), one XNNPACK GEMM per slice; wasm backend only. */
export function batchedMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return tf.engine().runKernel(KERNEL, { a, b }) as tf.Tensor3D;
}
