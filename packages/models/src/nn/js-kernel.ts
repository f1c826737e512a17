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

/** A JS kernel with several outputs, computed in one pass (e.g. a ReLU's gradient and its channel sums). */
export interface MultiOutputJsKernel {
  name: string;
  outputShapes(inputShapes: number[][], attrs: Attrs): number[][];
  /** Must write every element of every output (they are not zeroed). */
  compute(inputs: Float32Array[], inputShapes: number[][], outputs: Float32Array[], attrs: Attrs): void;
}

export function registerJsKernel(kernel: JsKernel): (inputs: tf.Tensor[], attrs?: Attrs) => tf.Tensor {
  const run = registerMultiOutputJsKernel({
    name: kernel.name,
    outputShapes: (shapes, attrs) => [kernel.outputShape(shapes, attrs)],
    compute: (inputs, shapes, [output], attrs) => kernel.compute(inputs, shapes, output!, attrs),
  });
  return (inputs, attrs) => run(inputs, attrs)[0]!;
}

export function registerMultiOutputJsKernel(
  kernel: MultiOutputJsKernel,
): (inputs: tf.Tensor[], attrs?: Attrs) => tf.Tensor[] {
  const inputNames = (inputs: tf.NamedTensorInfoMap) => Object.keys(inputs).sort();
  tf.registerKernel({
    kernelName: kernel.name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as BackendWasm;
      const infos = inputNames(inputs).map((key) => inputs[key]!);
      const shapes = infos.map((info) => info.shape);
      const outs = kernel
        .outputShapes(shapes, attrs as Attrs)
        .map((shape) => wasm.makeOutput(shape, 'float32'));
      // Views are taken after makeOutput: allocating may grow (and so detach) the heap.
      const arrays = infos.map((info) => wasm.typedArrayFromHeap(info) as Float32Array);
      const outputs = outs.map((out) => wasm.typedArrayFromHeap(out) as Float32Array);
      kernel.compute(arrays, shapes, outputs, attrs as Attrs);
      return outs;
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
      const outShapes = kernel.outputShapes(shapes, attrs as Attrs);
      const outputs = outShapes.map((shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)));
      kernel.compute(arrays, shapes, outputs, attrs as Attrs);
      return outShapes.map((shape, i) => cpu.makeTensorInfo(shape, 'float32', outputs[i]));
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
    return tf.engine().runKernel(kernel.name, named, attrs) as unknown as tf.Tensor[];
  };
}
