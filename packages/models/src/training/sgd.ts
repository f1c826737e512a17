import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray } from '../models/model-weights.ts';
import type { Optimizer } from './optimizer.ts';
import { assignValues, bufferArrays, loadBuffers } from './optimizer-state.ts';

export interface SgdOptions {
  /** Learning rate of a step that is given none (a schedule passes its own to `step`). */
  lr: number;
  /** 0 disables momentum; otherwise PyTorch semantics: v ← μ·v + g, p ← p − lr·v (no dampening). */
  momentum: number;
  /** Nesterov momentum as torch.optim.SGD(nesterov=True): p ← p − lr·(g + μ·v). */
  nesterov?: boolean;
  /** Coupled L2, as PyTorch: g ← g + wd·p before momentum. */
  weightDecay?: number;
}

/** Stochastic gradient descent over a fixed list of variables; its state is the velocity buffers. */
export class Sgd implements Optimizer {
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

  step(grads: readonly tf.Tensor[], lr = this.options.lr): void {
    const { momentum, nesterov = false, weightDecay = 0 } = this.options;
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        let g = grads[i];
        if (!g) throw new Error(`no gradient for variable ${i}`);
        // Each extra is skipped when off, so plain SGD runs exactly the reference arithmetic.
        if (weightDecay !== 0) g = tf.add(g, tf.mul(variable, weightDecay));
        let direction = g;
        const v = this.velocity?.[i];
        if (v) {
          v.assign(tf.add(tf.mul(v, momentum), g));
          direction = nesterov ? tf.add(g, tf.mul(v, momentum)) : v;
        }
        variable.assign(tf.sub(variable, tf.mul(direction, lr)));
      });
    });
  }

  /** Velocity buffers, named after their variables (empty without momentum). */
  stateArrays(names: readonly string[]): NamedArray[] {
    return bufferArrays(this.velocity ?? [], names, 'velocity');
  }

  loadState(names: readonly string[], arrays: readonly NamedArray[]): void {
    if (!this.velocity) {
      if (arrays.length > 0) throw new Error('optimizer state has velocity buffers but momentum is 0');
      return;
    }
    loadBuffers(this.velocity, names, 'velocity', arrays, assignValues);
  }

  dispose(): void {
    for (const v of this.velocity ?? []) v.dispose();
  }
}
