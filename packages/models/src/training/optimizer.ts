import type { RunParams } from '@sweeplab/shared';
import type * as tf from '@tensorflow/tfjs-core';
import type { NamedArray } from '../models/model-weights.ts';
import { Adam } from './adam.ts';
import { RmsProp } from './rmsprop.ts';
import { Sgd } from './sgd.ts';

/** An update rule over a fixed list of variables; each follows torch.optim's formulas exactly. */
export interface Optimizer {
  /** `grads[i]` belongs to `variables[i]`; `lr` is this step's learning rate (default: the options'). */
  step(grads: readonly tf.Tensor[], lr?: number): void;
  /** The state a resume needs, named after the variables (`<name>.<buffer>`). */
  stateArrays(names: readonly string[]): NamedArray[];
  loadState(names: readonly string[], arrays: readonly NamedArray[]): void;
  dispose(): void;
}

export type OptimizerParams = Pick<RunParams, 'lr' | 'optimizer' | 'momentum' | 'nesterov' | 'weight_decay'>;

/** The run's optimizer with PyTorch's defaults for what a run does not set (Adam betas, RMSprop alpha, eps). */
export function createOptimizer(variables: readonly tf.Variable[], params: OptimizerParams): Optimizer {
  const { lr, momentum, nesterov, weight_decay: weightDecay } = params;
  switch (params.optimizer) {
    case 'sgd':
      return new Sgd(variables, { lr, momentum, nesterov, weightDecay });
    case 'adam':
      return new Adam(variables, { lr, weightDecay, decoupled: false });
    case 'adamw':
      return new Adam(variables, { lr, weightDecay, decoupled: true });
    case 'rmsprop':
      return new RmsProp(variables, { lr, momentum, weightDecay });
  }
}
