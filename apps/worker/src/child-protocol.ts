import {
  BackendName,
  BackendPreference,
  EpochMetrics,
  PermanentFailureCode,
  TrainJobPayload,
} from '@sweeplab/shared';
import { z } from 'zod';

// Buffers survive the IPC channel as Uint8Array (advanced serialization); typed loosely on purpose.
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'must be bytes');

/** Messages over the IPC channel between a worker and its training child (advanced serialization). */

export const ParentToChild = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    payload: TrainJobPayload,
    resumeFrom: bytes.nullable(),
    backend: BackendPreference,
    trainer: z.enum(['tfjs', 'synthetic']),
    syntheticEpochMs: z.number(),
    syntheticFault: z.string().nullable(),
  }),
  /** The epoch (and its checkpoint) is stored; the child may go on. */
  z.object({ type: z.literal('epoch-ack'), epoch: z.number() }),
  z.object({ type: z.literal('abort'), reason: z.string() }),
]);
export type ParentToChild = z.infer<typeof ParentToChild>;

export const ChildToParent = z.discriminatedUnion('type', [
  /** Modules, backend and (for tfjs) the TF.js runtime are loaded: the child can take a job at once. */
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('started'), backend: BackendName, tfjsVersion: z.string(), device: z.string() }),
  z.object({ type: z.literal('epoch'), metrics: EpochMetrics, checkpoint: bytes }),
  z.object({ type: z.literal('done'), aborted: z.boolean() }),
  /** `permanent`: why retrying cannot help (bad config, incompatible checkpoint, missing data file), else null. */
  z.object({ type: z.literal('error'), message: z.string(), permanent: PermanentFailureCode.nullable() }),
]);
export type ChildToParent = z.infer<typeof ChildToParent>;
