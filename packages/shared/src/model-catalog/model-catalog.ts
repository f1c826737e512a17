import { z } from 'zod';
import { cnnLayers } from './cnn-spec.ts';
import { type LayerSpec, layerForwardMacs, layerParameterCount } from './layer-spec.ts';
import { resnetLayers, resnetSpec } from './resnet-spec.ts';

/** How a model is drawn in every chart (dashboard and report), so a model keeps its look everywhere. */
export interface ModelStyle {
  /** Okabe–Ito hues, darkened where needed to reach 4.5:1 contrast on white. */
  color: string;
  /** SVG stroke-dasharray ('' for solid), so the lines stay apart in greyscale print too. */
  dash: string;
}

export interface ModelCatalogEntry {
  description: string;
  /**
   * The layers that carry weights, in initialisation order (TF-free: the training engine builds from
   * them), at `depth` residual blocks per stage where the model has stages of blocks.
   */
  layers: (depth: number) => readonly LayerSpec[];
  /** Whether the run parameter `depth` applies (residual stages); otherwise only depth 1 exists. */
  hasDepth: boolean;
  style: ModelStyle;
}

/**
 * The one list of models: the API accepts these names, the training engine builds these layers, and
 * parameter counts, MAC counts, report order (this order, the reference table's) and chart colours are
 * derived from it. Adding a model is an entry here plus its TF.js forward pass in @sweeplab/models.
 */
export const MODEL_CATALOG = {
  cnn: {
    description: 'Traditional CNN: 10 conv 3×3 layers in 4 blocks, 2 max-pools, 1 dense layer',
    layers: () => cnnLayers(),
    hasDepth: false,
    style: { color: '#0072B2', dash: '' },
  },
  resnet: {
    description: 'Reference MNIST ResNet: conv 5×5 → two residual blocks → 2 dense layers',
    layers: (depth) => resnetLayers(resnetSpec(depth)),
    hasDepth: true,
    style: { color: '#B34700', dash: '7 4' },
  },
  plain: {
    description: 'The ResNet without its two shortcut connections',
    layers: (depth) => resnetLayers(resnetSpec(depth)),
    hasDepth: true,
    style: { color: '#007A5A', dash: '2 3' },
  },
} as const satisfies Record<string, ModelCatalogEntry>;

type CatalogName = keyof typeof MODEL_CATALOG;

/** Models the training engine registers, in report order; the API rejects any other name. */
export const MODEL_NAMES = Object.keys(MODEL_CATALOG) as [CatalogName, ...CatalogName[]];
export const ModelName = z.enum(MODEL_NAMES);
export type ModelName = z.infer<typeof ModelName>;

/** Styles for series that are not a catalog model (e.g. a model since removed), by position. */
export const FALLBACK_STYLES: readonly ModelStyle[] = [
  { color: '#A0467F', dash: '9 3 2 3' },
  { color: '#5A5A5A', dash: '4 2' },
];

export function isModelName(name: string): name is ModelName {
  return Object.hasOwn(MODEL_CATALOG, name);
}

/** A model's layers at `depth` blocks per stage (1, the reference, for models without depth). */
export function modelLayers(model: ModelName, depth = 1): readonly LayerSpec[] {
  const entry: ModelCatalogEntry | undefined = MODEL_CATALOG[model];
  if (!entry) throw new Error(`unknown model ${JSON.stringify(model)}; known: ${MODEL_NAMES.join(', ')}`);
  if (depth !== 1 && !entry.hasDepth)
    throw new Error(`model ${model} has a fixed depth (got depth ${depth})`);
  return entry.layers(depth);
}

export function parameterCount(model: ModelName, depth = 1): number {
  return modelLayers(model, depth).reduce((sum, layer) => sum + layerParameterCount(layer), 0);
}

/** Multiply-accumulates of one image's forward pass (convolutions and dense layers). */
export function forwardMacs(model: ModelName, depth = 1): number {
  return modelLayers(model, depth).reduce((sum, layer) => sum + layerForwardMacs(layer), 0);
}

/** Position in the catalog (report order); names outside it sort after, by name. */
export function compareModelNames(a: string, b: string): number {
  const order = (m: string) => (isModelName(m) ? MODEL_NAMES.indexOf(m) : MODEL_NAMES.length);
  return order(a) - order(b) || a.localeCompare(b);
}

/** A model's chart style; `fallbackIndex` picks a distinct one for names outside the catalog. */
export function modelStyle(model: string, fallbackIndex = 0): ModelStyle {
  return isModelName(model)
    ? MODEL_CATALOG[model].style
    : FALLBACK_STYLES[fallbackIndex % FALLBACK_STYLES.length]!;
}

/** What a browser or report needs about each model, as plain JSON (the dashboard is served this). */
export function modelCatalogSummary(): {
  name: ModelName;
  description: string;
  parameters: number;
  forward_macs: number;
  style: ModelStyle;
}[] {
  return MODEL_NAMES.map((name) => ({
    name,
    description: MODEL_CATALOG[name].description,
    parameters: parameterCount(name),
    forward_macs: forwardMacs(name),
    style: MODEL_CATALOG[name].style,
  }));
}
