import { createPrng, fanIn, type LayerSpec, tensorShapes } from '@sweeplab/shared';
import * as tf from '@tensorflow/tfjs-core';
import type { ConvWeights } from '../nn/conv2d.ts';
import type { DenseWeights } from '../nn/dense.ts';

export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** A model's trainable tensors, addressed by layer name; variable names are `<layer>.kernel`/`<layer>.bias`. */
export class ModelWeights {
  readonly variables: tf.Variable[] = [];
  /** `<layer>.kernel` / `<layer>.bias`, aligned with `variables` (TF.js variable names must be unique per process). */
  readonly names: string[] = [];
  private readonly byLayer = new Map<string, { kernel: tf.Variable; bias: tf.Variable; spec: LayerSpec }>();

  private constructor(
    readonly layers: readonly LayerSpec[],
    values: (name: string, shape: number[], layer: LayerSpec) => Float32Array,
  ) {
    for (const layer of layers) {
      const shapes = tensorShapes(layer);
      const make = (part: 'kernel' | 'bias') => {
        const name = `${layer.name}.${part}`;
        const initial = tf.tensor(values(name, shapes[part], layer), shapes[part]);
        // The variable shares the initial tensor's data but the tensor itself must still be released.
        const variable = tf.variable(initial, true);
        initial.dispose();
        this.variables.push(variable);
        this.names.push(name);
        return variable;
      };
      this.byLayer.set(layer.name, { kernel: make('kernel'), bias: make('bias'), spec: layer });
    }
  }

  /**
   * PyTorch's default initialisation, seeded: kaiming_uniform(a=√5) for kernels is U(±1/√fan_in), and
   * biases are U(±1/√fan_in) too. Values are drawn layer by layer, kernel then bias.
   */
  static initialise(layers: readonly LayerSpec[], seed: number): ModelWeights {
    const prng = createPrng(seed, 'init');
    return new ModelWeights(layers, (_name, shape, layer) => {
      const bound = 1 / Math.sqrt(fanIn(layer));
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < values.length; i++) values[i] = (2 * prng.next() - 1) * bound;
      return values;
    });
  }

  /** Rebuilds weights from saved arrays; names and shapes must match the layers exactly. */
  static fromArrays(layers: readonly LayerSpec[], arrays: readonly NamedArray[]): ModelWeights {
    const byName = new Map(arrays.map((a) => [a.name, a]));
    return new ModelWeights(layers, (name, shape) => {
      const saved = byName.get(name);
      if (!saved) throw new Error(`saved weights lack ${name}`);
      if (saved.shape.join('×') !== shape.join('×')) {
        throw new Error(
          `saved ${name} has shape ${saved.shape.join('×')}, the model needs ${shape.join('×')}`,
        );
      }
      return saved.values;
    });
  }

  conv(name: string): ConvWeights {
    const entry = this.layer(name, 'conv');
    const size = entry.spec.kind === 'conv' ? entry.spec.size : undefined;
    return { kernel: entry.kernel as tf.Tensor4D, bias: entry.bias as tf.Tensor1D, size, name };
  }

  dense(name: string): DenseWeights {
    const entry = this.layer(name, 'dense');
    return { kernel: entry.kernel as tf.Tensor2D, bias: entry.bias as tf.Tensor1D, name };
  }

  toArrays(): NamedArray[] {
    return this.variables.map((v, i) => ({
      name: this.names[i]!,
      shape: [...v.shape],
      values: v.dataSync() as Float32Array,
    }));
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }

  private layer(name: string, kind: LayerSpec['kind']) {
    const entry = this.byLayer.get(name);
    if (!entry || entry.spec.kind !== kind) throw new Error(`model has no ${kind} layer named ${name}`);
    return entry;
  }
}
