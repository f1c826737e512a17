import type { ModelName } from '@sweeplab/shared';
import type { NamedArray } from '../models/model-weights.ts';
import type { Tensor } from './safetensors.ts';

/**
 * Our layer names → the module names of the PyTorch definitions users load the weights into
 * (packages/models/pytorch/sweeplab_models.py). resnet and plain: the reference script's ResNet
 * (`block1` → `resblock1`, `fc1` → `out`, `fc2` → `out1`); at depth > 1 the extra blocks of stage s keep
 * their number the same way (`block1_2` → `resblock1_2`, …), so depth 1 is exactly the reference's
 * keys. cnn: the shipped definition uses our names. Layers not matched keep their name.
 */
const PYTORCH_MODULES: Readonly<
  Record<ModelName, { residualBlocks: boolean; dense: Readonly<Record<string, string>> }>
> = {
  resnet: { residualBlocks: true, dense: { fc1: 'out', fc2: 'out1' } },
  plain: { residualBlocks: true, dense: { fc1: 'out', fc2: 'out1' } },
  cnn: { residualBlocks: false, dense: {} },
};

/** `block1`, `block1_2`, … (catalog's resnetSpec) ↔ `resblock1`, `resblock1_2`, … (PyTorch). */
const OUR_BLOCK = /^block(\d+(?:_\d+)?)$/;
const PYTORCH_BLOCK = /^resblock(\d+(?:_\d+)?)$/;

function renameLayer(model: ModelName, layer: string): string {
  const [head, ...rest] = layer.split('.') as [string, ...string[]];
  const { residualBlocks, dense } = PYTORCH_MODULES[model];
  const block = residualBlocks ? OUR_BLOCK.exec(head) : null;
  return [block ? `resblock${block[1]}` : (dense[head] ?? head), ...rest].join('.');
}

function unrenameLayer(model: ModelName, layer: string): string {
  const [head, ...rest] = layer.split('.') as [string, ...string[]];
  const { residualBlocks, dense } = PYTORCH_MODULES[model];
  const block = residualBlocks ? PYTORCH_BLOCK.exec(head) : null;
  const denseEntry = Object.entries(dense).find(([, to]) => to === head);
  return [block ? `block${block[1]}` : (denseEntry?.[0] ?? head), ...rest].join('.');
}

interface Flatten {
  channels: number;
  size: number;
}

/**
 * Where a dense layer reads a flattened feature map (the first dense layer after a convolution), TF.js
 * flattens NHWC as (h, w, c) and PyTorch flattens NCHW as (c, h, w): the two orders of that layer's
 * inputs, from the kernels' shapes alone (so no model code, and no TF.js, is needed to convert).
 */
function flattenBefore(arrays: readonly NamedArray[]): Map<string, Flatten> {
  const result = new Map<string, Flatten>();
  let lastConvChannels: number | null = null;
  for (const a of arrays) {
    if (!a.name.endsWith('.kernel')) continue;
    if (a.shape.length === 4) lastConvChannels = a.shape[3]!;
    else if (a.shape.length === 2 && lastConvChannels !== null) {
      const size = Math.round(Math.sqrt(a.shape[0]! / lastConvChannels));
      if (size * size * lastConvChannels !== a.shape[0]) {
        throw new Error(
          `${a.name}: ${a.shape[0]} inputs are not a square map of ${lastConvChannels} channels`,
        );
      }
      result.set(a.name, { channels: lastConvChannels, size });
      lastConvChannels = null;
    }
  }
  return result;
}

/** Index in PyTorch's (c, h, w) flattening of the feature TF.js puts at `tf` in its (h, w, c) order. */
function pytorchFeature(tf: number, { channels, size }: Flatten): number {
  const c = tf % channels;
  const hw = (tf - c) / channels;
  return c * size * size + hw;
}

/**
 * TF.js weights (conv kernels [kh, kw, in, out], dense kernels [in, out]) → a PyTorch state_dict
 * (conv weights [out, in, kh, kw], linear weights [out, in], `.kernel` → `.weight`), in our layer order,
 * which is the PyTorch modules' registration order.
 */
export function toPytorchStateDict(model: ModelName, arrays: readonly NamedArray[]): Tensor[] {
  const flatten = flattenBefore(arrays);
  return arrays.map((a) => {
    const dot = a.name.lastIndexOf('.');
    const layer = renameLayer(model, a.name.slice(0, dot));
    const part = a.name.slice(dot + 1);
    if (part === 'bias') return { name: `${layer}.bias`, shape: [...a.shape], values: a.values };
    if (part !== 'kernel') throw new Error(`unexpected weight ${a.name}`);
    const name = `${layer}.weight`;
    if (a.shape.length === 4) {
      const [kh, kw, cin, cout] = a.shape as [number, number, number, number];
      const out = new Float32Array(a.values.length);
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          for (let i = 0; i < cin; i++)
            for (let o = 0; o < cout; o++)
              out[((o * cin + i) * kh + y) * kw + x] = a.values[((y * kw + x) * cin + i) * cout + o]!;
      return { name, shape: [cout, cin, kh, kw], values: out };
    }
    const [fin, fout] = a.shape as [number, number];
    const f = flatten.get(a.name);
    const out = new Float32Array(a.values.length);
    for (let i = 0; i < fin; i++) {
      const column = f ? pytorchFeature(i, f) : i;
      for (let o = 0; o < fout; o++) out[o * fin + column] = a.values[i * fout + o]!;
    }
    return { name, shape: [fout, fin], values: out };
  });
}

/** The inverse of `toPytorchStateDict`: a PyTorch state_dict back to TF.js names and layouts. */
export function fromPytorchStateDict(model: ModelName, tensors: readonly Tensor[]): NamedArray[] {
  const tfShaped: NamedArray[] = tensors.map((t) => {
    const dot = t.name.lastIndexOf('.');
    const layer = unrenameLayer(model, t.name.slice(0, dot));
    const part = t.name.slice(dot + 1);
    if (part === 'bias') return { name: `${layer}.bias`, shape: [...t.shape], values: t.values };
    if (part !== 'weight') throw new Error(`unexpected tensor ${t.name}`);
    const shape =
      t.shape.length === 4
        ? [t.shape[2]!, t.shape[3]!, t.shape[1]!, t.shape[0]!]
        : [t.shape[1]!, t.shape[0]!];
    return { name: `${layer}.kernel`, shape, values: t.values };
  });
  const flatten = flattenBefore(tfShaped);
  return tfShaped.map((a) => {
    if (!a.name.endsWith('.kernel')) return a;
    const values = new Float32Array(a.values.length);
    if (a.shape.length === 4) {
      const [kh, kw, cin, cout] = a.shape as [number, number, number, number];
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          for (let i = 0; i < cin; i++)
            for (let o = 0; o < cout; o++)
              values[((y * kw + x) * cin + i) * cout + o] = a.values[((o * cin + i) * kh + y) * kw + x]!;
    } else {
      const [fin, fout] = a.shape as [number, number];
      const f = flatten.get(a.name);
      for (let i = 0; i < fin; i++) {
        const column = f ? pytorchFeature(i, f) : i;
        for (let o = 0; o < fout; o++) values[i * fout + o] = a.values[o * fin + column]!;
      }
    }
    return { ...a, values };
  });
}
