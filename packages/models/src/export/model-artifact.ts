import { isModelName, MAX_DEPTH, type ModelName } from '@sweeplab/shared';
import type { NamedArray } from '../models/model-weights.ts';
import { decodeCheckpoint } from '../training/checkpoint.ts';
import { fromPytorchStateDict, toPytorchStateDict } from './pytorch-state-dict.ts';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors.ts';

/** What the safetensors header's `__metadata__` says about the weights (all values are strings there). */
export interface ArtifactProvenance {
  runId: string;
  valAcc: number;
  codeVersion: string;
}

/**
 * A checkpoint (weights + optimizer state, TF.js layout) → the weights alone as a PyTorch-loadable
 * safetensors file. The metadata is deterministic (no timestamps), so equal weights of the same run
 * and epoch give byte-identical files: the same sha256, stored once.
 */
export function checkpointToSafetensors(checkpoint: Uint8Array, provenance: ArtifactProvenance): Uint8Array {
  const { model, params, epoch, weights } = decodeCheckpoint(checkpoint);
  return encodeSafetensors({
    tensors: toPytorchStateDict(model, weights),
    metadata: {
      format: 'pt',
      model,
      dataset: params.dataset,
      params: JSON.stringify(params),
      epoch: String(epoch),
      val_acc: String(provenance.valAcc),
      run_id: provenance.runId,
      code_version: provenance.codeVersion,
      producer: 'sweeplab',
    },
  });
}

/** A stored artifact back to TF.js weights (for predictions), with its metadata. */
export function safetensorsToWeights(bytes: Uint8Array): {
  model: ModelName;
  /** Residual blocks per stage (the run parameter `depth`; 1 when the metadata has none). */
  depth: number;
  weights: NamedArray[];
  metadata: Record<string, string>;
} {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const model = metadata.model;
  if (model === undefined || !isModelName(model)) {
    throw new SafetensorsError(`safetensors metadata names no known model (model=${JSON.stringify(model)})`);
  }
  let depth: unknown = 1;
  try {
    depth = (JSON.parse(metadata.params ?? '{}') as { depth?: unknown }).depth ?? 1;
  } catch (err) {
    throw new SafetensorsError(`safetensors metadata params is not JSON (${(err as Error).message})`);
  }
  if (!Number.isInteger(depth) || (depth as number) < 1 || (depth as number) > MAX_DEPTH) {
    throw new SafetensorsError(
      `safetensors metadata params.depth must be an integer from 1 to ${MAX_DEPTH} (got ${JSON.stringify(depth)})`,
    );
  }
  return { model, depth: depth as number, weights: fromPytorchStateDict(model, tensors), metadata };
}
