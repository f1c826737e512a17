import { createHash } from 'node:crypto';
import {
  type ModelName,
  PermanentError,
  REFERENCE_RECIPE,
  RUN_PARAM_FIELDS,
  type RunParams,
} from '@sweeplab/shared';
import type { NamedArray } from '../models/model-weights.ts';

/**
 * Everything that makes a continuation exact: weights, optimizer state and the number of epochs done.
 * The shuffle of epoch e is derived from (seed, e), and batches are built from the dataset, so no PRNG
 * or iterator state needs saving.
 */
export interface Checkpoint {
  model: ModelName;
  params: RunParams;
  /** Epochs completed; training resumes at epoch + 1. */
  epoch: number;
  /** Backend that produced it; resuming elsewhere works but is not bit-identical. */
  backend: string;
  weights: NamedArray[];
  optimizer: NamedArray[];
}

/** A blob that is not a checkpoint, is damaged, or does not belong to the run that loads it. */
export class CheckpointError extends PermanentError {
  override name = 'CheckpointError';
  readonly code = 'checkpoint';
}

export const CHECKPOINT_FORMAT_VERSION = 1;
const MAGIC = 'SWLPCKPT';
const DIGEST_BYTES = 32;

interface Header {
  model: ModelName;
  params: RunParams;
  epoch: number;
  backend: string;
  tensors: {
    group: 'weights' | 'optimizer';
    name: string;
    shape: number[];
    offset: number;
    length: number;
  }[];
}

/**
 * Layout: "SWLPCKPT" · u32 format version · u32 header length · JSON header · zero padding to 4 bytes ·
 * float32 LE tensor data · SHA-256 of all preceding bytes.
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  let offset = 0;
  const tensors: Header['tensors'] = [];
  const arrays: Float32Array[] = [];
  for (const group of ['weights', 'optimizer'] as const) {
    for (const array of checkpoint[group]) {
      tensors.push({ group, name: array.name, shape: array.shape, offset, length: array.values.length });
      arrays.push(array.values);
      offset += array.values.length;
    }
  }
  const header: Header = {
    model: checkpoint.model,
    params: checkpoint.params,
    epoch: checkpoint.epoch,
    backend: checkpoint.backend,
    tensors,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(16 + headerBytes.length);
  const bytes = new Uint8Array(dataStart + offset * 4 + DIGEST_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  bytes.set(headerBytes, 16);
  let position = dataStart;
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++, position += 4) view.setFloat32(position, values[i]!, true);
  }
  bytes.set(createHash('sha256').update(bytes.subarray(0, position)).digest(), position);
  return bytes;
}

export function decodeCheckpoint(blob: Uint8Array): Checkpoint {
  if (blob.length < 16 + DIGEST_BYTES || new TextDecoder().decode(blob.subarray(0, 8)) !== MAGIC) {
    throw new CheckpointError(
      `not a sweeplab checkpoint (${blob.length} bytes, missing the ${MAGIC} signature)`,
    );
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      `checkpoint format version ${version}; this build reads version ${CHECKPOINT_FORMAT_VERSION}`,
    );
  }
  const body = blob.subarray(0, blob.length - DIGEST_BYTES);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(blob.subarray(blob.length - DIGEST_BYTES))) {
    throw new CheckpointError('checkpoint is corrupt or truncated (SHA-256 mismatch)');
  }
  const headerLength = view.getUint32(12, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(blob.subarray(16, 16 + headerLength))) as Header;
  } catch (err) {
    throw new CheckpointError(`checkpoint header is not valid JSON (${(err as Error).message})`);
  }
  const dataStart = align4(16 + headerLength);
  const read = (group: 'weights' | 'optimizer'): NamedArray[] =>
    header.tensors
      .filter((t) => t.group === group)
      .map((t) => {
        const values = new Float32Array(t.length);
        const base = dataStart + t.offset * 4;
        if (base + t.length * 4 > body.length)
          throw new CheckpointError(`tensor ${t.name} runs past the data`);
        for (let i = 0; i < t.length; i++) values[i] = view.getFloat32(base + i * 4, true);
        return { name: t.name, shape: t.shape, values };
      });
  return {
    model: header.model,
    params: header.params,
    epoch: header.epoch,
    backend: header.backend,
    weights: read('weights'),
    optimizer: read('optimizer'),
  };
}

/** Run parameters that shape the trajectory; all must match for a resume (epochs may grow). */
const TRAJECTORY_PARAMS: readonly (keyof RunParams)[] = RUN_PARAM_FIELDS.filter((f) => f !== 'epochs');

/** A checkpoint written before the training recipes existed trained with the reference recipe. */
function savedParam(checkpoint: Checkpoint, key: keyof RunParams): unknown {
  const saved = checkpoint.params[key];
  if (saved !== undefined) return saved;
  return key in REFERENCE_RECIPE ? REFERENCE_RECIPE[key as keyof typeof REFERENCE_RECIPE] : null;
}

/** Refuses to continue a run from a checkpoint of a different model or different hyper-parameters. */
export function assertCheckpointMatches(checkpoint: Checkpoint, params: RunParams): void {
  // A cosine schedule's every epoch depends on the epoch count; other runs may grow their epochs.
  const keys: readonly (keyof RunParams)[] =
    params.lr_schedule === 'cosine' ? [...TRAJECTORY_PARAMS, 'epochs'] : TRAJECTORY_PARAMS;
  const differences = keys
    .filter((key) => (savedParam(checkpoint, key) ?? null) !== (params[key] ?? null))
    .map(
      (key) =>
        `${key}: checkpoint ${JSON.stringify(savedParam(checkpoint, key) ?? null)}, run ${JSON.stringify(params[key] ?? null)}`,
    );
  if (differences.length > 0) {
    throw new CheckpointError(`checkpoint belongs to a different run (${differences.join('; ')})`);
  }
  if (checkpoint.model !== params.model) {
    throw new CheckpointError(`checkpoint holds model ${checkpoint.model}, the run trains ${params.model}`);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
