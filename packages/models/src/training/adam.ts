import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray } from '../models/model-weights.ts';
import type { Optimizer } from './optimizer.ts';
import { assignValues, bufferArrays, loadBuffers } from './optimizer-state.ts';

export interface AdamOptions {
  /** Learning rate of a step that is given none (a schedule passes its own to `step`). */
  lr: number;
  weightDecay: number;
  /** AdamW (Loshchilov & Hutter): p ← p·(1 − lr·wd) before the Adam step, instead of g ← g + wd·p. */
  decoupled: boolean;
  /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8. */
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/**
 * torch.optim.Adam / AdamW (single-tensor path): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + eps). State: m, v per variable and the step count t.
 */
export class Adam implements Optimizer {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;

  constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly options: AdamOptions,
  ) {
    this.m = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  step(grads: readonly tf.Tensor[], lr = this.options.lr): void {
    const { weightDecay, decoupled, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = this.options;
    this.t++;
    const stepSize = lr / (1 - beta1 ** this.t);
    const bias2Sqrt = Math.sqrt(1 - beta2 ** this.t);
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        let g = grads[i];
        if (!g) throw new Error(`no gradient for variable ${i}`);
        let p: tf.Tensor = variable;
        if (weightDecay !== 0) {
          if (decoupled) p = tf.mul(p, 1 - lr * weightDecay);
          else g = tf.add(g, tf.mul(p, weightDecay));
        }
        const m = this.m[i]!;
        const v = this.v[i]!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), bias2Sqrt), eps);
        variable.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
      });
    });
  }

  stateArrays(names: readonly string[]): NamedArray[] {
    return [
      ...bufferArrays(this.m, names, 'exp_avg'),
      ...bufferArrays(this.v, names, 'exp_avg_sq'),
      { name: 'adam.step', shape: [1], values: Float32Array.of(this.t) },
    ];
  }

  loadState(names: readonly string[], arrays: readonly NamedArray[]): void {
    loadBuffers(this.m, names, 'exp_avg', arrays, assignValues);
    loadBuffers(this.v, names, 'exp_avg_sq', arrays, assignValues);
    const step = arrays.find((a) => a.name === 'adam.step');
    if (!step) throw new Error('optimizer state lacks adam.step');
    this.t = step.values[0]!;
  }

  dispose(): void {
    for (const b of [...this.m, ...this.v]) b.dispose();
  }
}
