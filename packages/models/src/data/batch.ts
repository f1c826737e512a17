import * as tf from '@tensorflow/tfjs-core';
import { CLASS_COUNT, IMAGE_SIZE } from './dataset-files.ts';
import type { LabelledImages } from './dataset-loader.ts';

/** byte → float32 in [0,1], as torchvision's ToTensor (x / 255). */
const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

export interface Batch {
  /** (B, 28, 28, 1) float32 in [0, 1]. */
  images: tf.Tensor4D;
  /** (B, 10) one-hot float32. */
  oneHot: tf.Tensor2D;
  labels: Uint8Array;
  size: number;
}

/** Builds one batch from `indices[start, end)`; pixels are scaled here so the dataset stays uint8 in memory. */
export function makeBatch(split: LabelledImages, indices: Uint32Array, start: number, end: number): Batch {
  const size = end - start;
  const pixels = split.pixels;
  const x = new Float32Array(size * pixels);
  const y = new Float32Array(size * CLASS_COUNT);
  const labels = new Uint8Array(size);
  for (let b = 0; b < size; b++) {
    const index = indices[start + b]!;
    const source = split.images.subarray(index * pixels, (index + 1) * pixels);
    const offset = b * pixels;
    for (let p = 0; p < pixels; p++) x[offset + p] = SCALE[source[p]!]!;
    const label = split.labels[index]!;
    labels[b] = label;
    y[b * CLASS_COUNT + label] = 1;
  }
  return {
    images: tf.tensor4d(x, [size, IMAGE_SIZE, IMAGE_SIZE, 1]),
    oneHot: tf.tensor2d(y, [size, CLASS_COUNT]),
    labels,
    size,
  };
}

export function disposeBatch(batch: Batch): void {
  batch.images.dispose();
  batch.oneHot.dispose();
}
