import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray } from '../models/model-weights.ts';
import type { Optimizer } from './optimizer.ts';
import { assignValues, bufferArrays, loadBuffers } from './optimizer-state.ts';

export interface RmsPropOptions {
  /** Learning rate of a step that is given none (a schedule passes its own to `step`). */
  lr: number;
  momentum: number;
  /** Coupled L2, as PyTorch: g ← g + wd·p. */
  weightDecay: number;
  /** PyTorch's defaults: alpha 0.99, eps 1e-8 (not centered). */
  alpha?: number;
  eps?: number;
}

/**
 * torch.optim.RMSprop (single-tensor path, centered=False): s ← αs + (1−α)g², d = g / (√s + eps);
 * with momentum b ← μb + d, p ← p − lr·b; without, p ← p − lr·d.
 */
export class RmsProp implements Optimizer {
  private readonly square: tf.Variable[];
  private readonly buffer: tf.Variable[] | undefined;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly options: RmsPropOptions,
  ) {
    this.square = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.buffer =
      options.momentum > 0
        ? variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)))
        : undefined;
  }

  step(grads: readonly tf.Tensor[], lr = this.options.lr): void {
    const { momentum, weightDecay, alpha = 0.99, eps = 1e-8 } = this.options;
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        let g = grads[i];
        if (!g) throw new Error(`no gradient for variable ${i}`);
        if (weightDecay !== 0) g = tf.add(g, tf.mul(variable, weightDecay));
        const s = this.square[i]!;
        s.assign(tf.add(tf.mul(s, alpha), tf.mul(tf.square(g), 1 - alpha)));
        let direction = tf.div(g, tf.add(tf.sqrt(s), eps));
        const b = this.buffer?.[i];
        if (b) {
          b.assign(tf.add(tf.mul(b, momentum), direction));
          direction = b;
        }
        variable.assign(tf.sub(variable, tf.mul(direction, lr)));
      });
    });
  }

  stateArrays(names: readonly string[]): NamedArray[] {
    return [
      ...bufferArrays(this.square, names, 'square_avg'),
      ...bufferArrays(this.buffer ?? [], names, 'momentum_buffer'),
    ];
  }

  loadState(names: readonly string[], arrays: readonly NamedArray[]): void {
    loadBuffers(this.square, names, 'square_avg', arrays, assignValues);
    if (this.buffer) loadBuffers(this.buffer, names, 'momentum_buffer', arrays, assignValues);
  }

  dispose(): void {
    for (const b of [...this.square, ...(this.buffer ?? [])]) b.dispose();
  }
}
