/** A convolution as declared in a model: "same" padding, stride 1, applied to `size`×`size` maps. */
export interface ConvSpec {
  kind: 'conv';
  name: string;
  inChannels: number;
  outChannels: number;
  kernel: number;
  /** Spatial size of the input (and output) map; checked at run time, used for the MAC count. */
  size: number;
}

export interface DenseSpec {
  kind: 'dense';
  name: string;
  inFeatures: number;
  outFeatures: number;
}

export type LayerSpec = ConvSpec | DenseSpec;

export function convLayer(
  name: string,
  inChannels: number,
  outChannels: number,
  kernel: number,
  size: number,
): ConvSpec {
  return { kind: 'conv', name, inChannels, outChannels, kernel, size };
}

export function denseLayer(name: string, inFeatures: number, outFeatures: number): DenseSpec {
  return { kind: 'dense', name, inFeatures, outFeatures };
}

/** Shapes of a layer's tensors, in TF.js layout: conv kernel (k, k, in, out), dense kernel (in, out). */
export function tensorShapes(layer: LayerSpec): { kernel: number[]; bias: number[] } {
  return layer.kind === 'conv'
    ? { kernel: [layer.kernel, layer.kernel, layer.inChannels, layer.outChannels], bias: [layer.outChannels] }
    : { kernel: [layer.inFeatures, layer.outFeatures], bias: [layer.outFeatures] };
}

/** PyTorch's fan_in: in_channels·k·k for Conv2d, in_features for Linear. */
export function fanIn(layer: LayerSpec): number {
  return layer.kind === 'conv' ? layer.inChannels * layer.kernel * layer.kernel : layer.inFeatures;
}

export function layerParameterCount(layer: LayerSpec): number {
  const { kernel, bias } = tensorShapes(layer);
  return kernel.reduce((a, b) => a * b, 1) + bias.reduce((a, b) => a * b, 1);
}

/** Multiply-accumulates of one image's forward pass through the layer (bias adds not counted). */
export function layerForwardMacs(layer: LayerSpec): number {
  return layer.kind === 'conv'
    ? layer.size * layer.size * layer.kernel * layer.kernel * layer.inChannels * layer.outChannels
    : layer.inFeatures * layer.outFeatures;
}
