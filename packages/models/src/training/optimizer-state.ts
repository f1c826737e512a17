import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray } from '../models/model-weights.ts';

/** Reads named buffers back into variables, refusing a checkpoint that lacks one or has the wrong size. */
export function loadBuffers(
  buffers: readonly tf.Variable[],
  names: readonly string[],
  suffix: string,
  arrays: readonly NamedArray[],
  assign: (variable: tf.Variable, values: Float32Array) => void,
): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  buffers.forEach((buffer, i) => {
    const saved = byName.get(`${names[i]}.${suffix}`);
    if (!saved || saved.values.length !== buffer.size) {
      throw new Error(`optimizer state lacks ${names[i]}.${suffix}`);
    }
    assign(buffer, saved.values);
  });
}

export function assignValues(variable: tf.Variable, values: Float32Array): void {
  tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
}

/** Buffers as checkpoint arrays named `<variable>.<suffix>`. */
export function bufferArrays(
  buffers: readonly tf.Variable[],
  names: readonly string[],
  suffix: string,
): NamedArray[] {
  return buffers.map((b, i) => ({
    name: `${names[i]}.${suffix}`,
    shape: [...b.shape],
    values: b.dataSync() as Float32Array,
  }));
}
