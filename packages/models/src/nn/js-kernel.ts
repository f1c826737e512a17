import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A float32 kernel written in JS that runs on the wasm backend's heap (and on the cpu backend's
 * arrays) without copying: `dataSync()` plus `tf.tensor()` would copy every input and the output,
 * which for a 4 MB activation costs more than the computation.
 */
export type Attrs = Record<string, number>;

export interface JsKernel {
  name: string;
  outputShape(inputShapes: number[][], attrs: Attrs): number[];
  /** Must write every element of `output` (it is not zeroed). */
  compute(inputs: Float32Array[], inputShapes: number[][], output: Float32Array, attrs: Attrs): void;
}

export function registerJsKernel(kernel: JsKernel): (inputs: tf.Tensor[], attrs?: Attrs) => tf.Tensor {
  const inputNames = (inputs: tf.NamedTensorInfoMap) => Object.keys(inputs).sort();
  tf.registerKernel({
    kernelName: kernel.name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as BackendWasm;
      const infos = inputNames(inputs).map((key) => inputs[key]!);
      const shapes = infos.map((info) => info.shape);
      const out = wasm.makeOutput(kernel.outputShape(shapes, attrs as Attrs), 'float32');
      // Views are taken after makeOutput: allocating may grow (and so detach) the heap.
      const arrays = infos.map((info) => wasm.typedArrayFromHeap(info) as Float32Array);
      kernel.compute(arrays, shapes, wasm.typedArrayFromHeap(out) as Float32Array, attrs as Attrs);
      return out;
    },
  });
  tf.registerKernel({
    kernelName: kernel.name,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as MathBackendCPU;
      const infos = inputNames(inputs).map((key) => inputs[key]!);
      const shapes = infos.map((info) => info.shape);
      const arrays = infos.map((info) => cpu.data.get(info.dataId)!.values as Float32Array);
      const shape = kernel.outputShape(shapes, attrs as Attrs);
      const output = new Float32Array(shape.reduce((a, b) => a * b, 1));
      kernel.compute(arrays, shapes, output, attrs as Attrs);
      return cpu.makeTensorInfo(shape, 'float32', output);
    },
  });
  return (tensors: tf.Tensor[], attrs: Attrs = {}) => {
    const named: tf.NamedTensorMap = {};
    // Inputs are keyed in0, in1, ... so that sorting the keys restores their order (up to 10 inputs).
    tensors.forEach((t, i) => {
      if (t.dtype !== 'float32')
        throw new Error(`${kernel.name}: input ${i} is ${t.dtype}, expected float32`);
      named[`in${i}`] = t;
    });
    return tf.engine().runKernel(kernel.name, named, attrs) as tf.Tensor;
  };
}
