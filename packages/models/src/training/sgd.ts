import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray } from '../models/model-weights.ts';

export interface SgdOptions {
  lr: number;
  /** 0 disables momentum; otherwise PyTorch semantics: v ← μ·v + g, p ← p − lr·v (no dampening, no Nesterov). */
  momentum: number;
}

/** Stochastic gradient descent over a fixed list of variables; its state is the velocity buffers. */
export class Sgd {
  private readonly velocity: tf.Variable[] | undefined;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly options: SgdOptions,
  ) {
    // PyTorch starts the buffer at the first gradient; μ·0 + g is the same thing.
    this.velocity =
      options.momentum > 0
        ? variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)))
        : undefined;
  }

  /** `grads[i]` belongs to `variables[i]`. */
  step(grads: readonly tf.Tensor[]): void {
    const { lr, momentum } = this.options;
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        const g = grads[i];
        if (!g) throw new Error(`no gradient for variable ${i}`);
        let direction = g;
        const v = this.velocity?.[i];
        if (v) {
          v.assign(tf.add(tf.mul(v, momentum), g));
          direction = v;
        }
        variable.assign(tf.sub(variable, tf.mul(direction, lr)));
      });
    });
  }

  /** Velocity buffers, named after their variables (empty without momentum). */
  stateArrays(names: readonly string[]): NamedArray[] {
    return (this.velocity ?? []).map((v, i) => ({
      name: `${names[i]}.velocity`,
      shape: [...v.shape],
      values: v.dataSync() as Float32Array,
    }));
  }

  loadState(names: readonly string[], arrays: readonly NamedArray[]): void {
    if (!this.velocity) {
      if (arrays.length > 0) throw new Error('optimizer state has velocity buffers but momentum is 0');
      return;
    }
    const byName = new Map(arrays.map((a) => [a.name, a]));
    this.velocity.forEach((v, i) => {
      const saved = byName.get(`${names[i]}.velocity`);
      if (!saved || saved.values.length !== v.size)
        throw new Error(`optimizer state lacks ${names[i]}.velocity`);
      tf.tidy(() => v.assign(tf.tensor(saved.values, v.shape)));
    });
  }

  dispose(): void {
    for (const v of this.velocity ?? []) v.dispose();
  }
}
