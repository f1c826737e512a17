import * as tf from '@tensorflow/tfjs-core';
import { biasGradient, flipKernel, reluGradientAndBiasGradient } from './gradient-kernels.ts';
import { usesRoutedGradients } from './gradient-routing.ts';
import { imagePatchesWithOnesRow } from './image-patches.ts';
import { profileScope } from './kernel-profile.ts';
import {
  winogradConv,
  winogradInput,
  winogradInputGradient,
  winogradKernelGradient,
  winogradSupports,
} from './winograd.ts';

export interface ConvWeights {
  /** (k, k, in, out), as tf.conv2d expects. */
  kernel: tf.Tensor4D;
  bias: tf.Tensor1D;
  /** The input's spatial size the model declared for this layer; checked so the MAC table stays true. */
  size?: number;
  /** The layer's name, for kernel profiles. */
  name?: string;
}

/**
 * Which passes of a layer run as Winograd (winograd.ts: F(4×4, 3×3) and F(4×4, 5×5)) on the wasm
 * backend: its GEMMs do a quarter (a sixth for 5×5) of the direct convolution's multiply-adds, its tile
 * transforms cost time per tile and channel. Thresholds on C_in·C_out, measured per layer shape against
 * XNNPACK's direct convolution (`npm run bench:conv`, BENCHMARKS.md): forward and dX win from 16×16
 * channels (8→16 is a tie), dW from 8×8 (not the layers fed by images, whose one channel pads to four:
 * there the patches' matMul wins). The table of what each model's layers get is in README.md here.
 */
const WINOGRAD_THRESHOLDS = { forward: 16 * 16, kernelGradient: 8 * 8 } as const;

let winogradEnabled = true;

/** Turns Winograd off (or back on) for every layer; for A/B benchmarks and the equivalence tests. */
export function setWinograd(enabled: boolean): void {
  winogradEnabled = enabled;
}

export interface ConvPlan {
  /** Forward pass and dX (the same convolution with the rotated kernel) as Winograd. */
  forward: boolean;
  /** dW as Winograd (from the input's tiles, kept from the forward pass or made in the backward one). */
  kernelGradient: boolean;
}

/** The algorithm of each pass for a layer with this kernel size and these channel counts. */
export function convPlan(k: number, cIn: number, cOut: number): ConvPlan {
  const eligible = winogradEnabled && tf.getBackend() === 'wasm' && winogradSupports(k);
  const product = cIn * cOut;
  const forward = eligible && product >= WINOGRAD_THRESHOLDS.forward;
  return { forward, kernelGradient: forward || (eligible && product >= WINOGRAD_THRESHOLDS.kernelGradient) };
}

export interface Conv2dOptions {
  /**
   * False for a layer fed by data (the first layer): its input gradient is never needed, and a
   * custom gradient would otherwise compute it eagerly.
   */
  inputGradient?: boolean;
  /**
   * ReLU(conv(x) + b) as one layer: the forward pass fuses it into the convolution, and the backward pass
   * masks dy and sums the bias gradient in one pass over dy.
   */
  relu?: boolean;
}

/**
 * Stride-1, zero-padded ("same") convolution with an odd square kernel plus bias, optionally followed by
 * ReLU; the only kind these models use (PyTorch `Conv2d(c_in, c_out, k, padding=(k-1)/2)`).
 */
export function conv2d(x: tf.Tensor4D, weights: ConvWeights, options: Conv2dOptions = {}): tf.Tensor4D {
  const k = weights.kernel.shape[0];
  if (k % 2 !== 1 || weights.kernel.shape[1] !== k) {
    throw new Error(`conv2d supports odd square kernels only, got ${weights.kernel.shape.join('×')}`);
  }
  if (weights.size !== undefined && (x.shape[1] !== weights.size || x.shape[2] !== weights.size)) {
    throw new Error(`conv2d expected ${weights.size}×${weights.size} maps, got ${x.shape[1]}×${x.shape[2]}`);
  }
  const name = weights.name ?? `conv ${k}×${k} ${weights.kernel.shape[2]}→${weights.kernel.shape[3]}`;
  const relu = options.relu === true;
  if (!usesRoutedGradients()) {
    return profileScope(name, 'forward', () => {
      const y = tf.add(tf.conv2d(x, weights.kernel, 1, 'same'), weights.bias) as tf.Tensor4D;
      return relu ? tf.relu(y) : y;
    });
  }
  const forward = (input: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D) =>
    profileScope(name, 'forward', () => fusedConv(input, kernel, bias, relu));
  /** dy of the convolution itself and its bias gradient (through the ReLU, when fused). */
  const convGradient = (dy: tf.Tensor4D, y: tf.Tensor4D | undefined): [tf.Tensor4D, tf.Tensor1D] =>
    profileScope(name, "bias+relu'", () => (y ? reluGradientAndBiasGradient(dy, y) : [dy, biasGradient(dy)]));
  const [n, h, w] = x.shape;
  const [cIn, cOut] = [weights.kernel.shape[2], weights.kernel.shape[3]];
  const plan = convPlan(k, cIn, cOut);
  const dataFed = options.inputGradient === false;
  /** y, and what the backward pass keeps: V, the input's Winograd tiles (forward and dW alike), or x. */
  const run = (xIn: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D): [tf.Tensor4D, tf.Tensor] => {
    if (!plan.forward) return [forward(xIn, kernel, bias), xIn];
    const tiles = profileScope(name, 'forward', () => winogradInput(xIn, k));
    const y = profileScope(name, 'forward', () => winogradConv(tiles, kernel, bias, [n, h, w], relu));
    return [y, tiles];
  };
  const kernelGradient = (saved: tf.Tensor, g: tf.Tensor4D, pass: string): tf.Tensor4D =>
    profileScope(name, pass, () => {
      if (!plan.kernelGradient) return convKernelGradient(saved as tf.Tensor4D, g, k);
      if (plan.forward) return winogradKernelGradient(saved as tf.Tensor3D, g, [k, cIn, cOut]);
      return tf.tidy(() => winogradKernelGradient(winogradInput(saved as tf.Tensor4D, k), g, [k, cIn, cOut]));
    });
  if (dataFed) {
    // The input is data: its gradient is never needed, and a custom gradient over x would compute it.
    const op = tf.customGrad((kernel, bias, save) => {
      const [y, kept] = run(x, kernel as tf.Tensor4D, bias as tf.Tensor1D);
      (save as tf.GradSaveFunc)([kept, ...(relu ? [y] : [])]);
      return {
        value: y,
        gradFunc: (dy, saved) => {
          const [input, output] = saved as [tf.Tensor, tf.Tensor4D?];
          if (!plan.kernelGradient) {
            const g = relu ? convGradient(dy as tf.Tensor4D, output)[0] : (dy as tf.Tensor4D);
            return profileScope(name, 'dW+bias', () => dataFedConvGradients(input as tf.Tensor4D, g, k));
          }
          const [g, db] = convGradient(dy as tf.Tensor4D, output);
          return [kernelGradient(input, g, 'dW'), db];
        },
      };
    });
    return op(weights.kernel, weights.bias) as tf.Tensor4D;
  }
  const op = tf.customGrad((input, kernel, bias, save) => {
    const wt = kernel as tf.Tensor4D;
    const [y, kept] = run(input as tf.Tensor4D, wt, bias as tf.Tensor1D);
    (save as tf.GradSaveFunc)([kept, wt, ...(relu ? [y] : [])]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [savedInput, savedKernel, output] = saved as [tf.Tensor, tf.Tensor4D, tf.Tensor4D?];
        const [g, db] = convGradient(dy as tf.Tensor4D, output);
        const dX = profileScope(name, 'dX', () =>
          plan.forward ? winogradInputGradient(g, savedKernel) : convInputGradient(g, savedKernel),
        );
        return [dX, kernelGradient(savedInput, g, 'dW'), db];
      },
    };
  });
  return op(x, weights.kernel, weights.bias) as tf.Tensor4D;
}

/**
 * XNNPACK's conv + bias (+ ReLU) in one kernel. `tf.fused.conv2d` splits a fused activation into
 * Conv2D, Add and Relu whenever a gradient is being recorded (its own gradient could not use it);
 * inside our custom gradient nothing is recorded, so the kernel is run directly.
 */
function fusedConv(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, relu: boolean): tf.Tensor4D {
  const attrs = {
    strides: [1, 1],
    pad: 'same',
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
    activation: relu ? 'relu' : 'linear',
    leakyreluAlpha: undefined,
  };
  return tf
    .engine()
    .runKernel(tf.FusedConv2D, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * dX of a "same" convolution is the "same" convolution of dy with the kernel rotated by 180° and its
 * in/out channels swapped, so it runs on XNNPACK's forward conv instead of Conv2DBackpropInput.
 */
export function convInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(dy, flipKernel(kernel), 1, 'same'));
}

/**
 * dW[i,j,c,o] = Σ_{n,h,w} xpad[n,h+i,w+j,c]·dy[n,h,w,o] is itself a "valid" convolution once the batch
 * plays the role of channels: input xpadᵀ (C_in, H+2p, W+2p, N), filter dyᵀ (H, W, N, C_out), output
 * (C_in, k, k, C_out). This replaces Conv2DBackpropFilter, which wasm lacks (tfjs#8474).
 */
export function convKernelGradient(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const p = (k - 1) / 2;
    const xT = tf.pad(tf.transpose(x, [3, 1, 2, 0]), [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ]) as tf.Tensor4D;
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    return tf.transpose(tf.conv2d(xT, dyAsFilter, 1, 'valid'), [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * Kernel and bias gradients of a layer fed by data, as one matMul of the input's transposed patches
 * (with a ones row for the bias) and dy. (The untransposed patches on the SIMD GEMM were measured no
 * faster: the GEMM is 1.4 ms either way for the ResNet's first layer, and building row-major patches
 * in JS costs more.)
 */
export function dataFedConvGradients(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): [tf.Tensor4D, tf.Tensor1D] {
  return tf.tidy(() => {
    const [, , , cIn] = x.shape;
    const cOut = dy.shape[3];
    const rows = k * k * cIn;
    const both = tf.matMul(imagePatchesWithOnesRow(x, k), tf.reshape(dy, [-1, cOut]) as tf.Tensor2D);
    return [
      tf.reshape(tf.slice(both, [0, 0], [rows, cOut]), [k, k, cIn, cOut]) as tf.Tensor4D,
      tf.reshape(tf.slice(both, [rows, 0], [1, cOut]), [cOut]) as tf.Tensor1D,
    ];
  });
}
