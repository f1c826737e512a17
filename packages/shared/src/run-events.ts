import { z } from 'zod';
import { BackendName } from './datasets-and-backends.ts';
import { EpochMetrics } from './epoch-metrics.ts';

/**
 * Version of the event shape, written into every stream entry as `schema_version`. The API ingests
 * only versions it knows (absent = 1); an entry of another version is kept in the dead-letter stream,
 * never applied half-understood.
 */
export const RUN_EVENT_SCHEMA_VERSION = 1;

/**
 * Events a worker publishes to the Redis stream for the API's ingester. Every event names the run and
 * the attempt that produced it, so the ingester can fence off a superseded attempt.
 */
const base = {
  schema_version: z.literal(RUN_EVENT_SCHEMA_VERSION).optional(),
  run_id: z.string().min(1),
  attempt: z.number().int().min(1),
  worker_id: z.string().min(1),
  /** Milliseconds since the epoch, on the worker's clock. */
  at: z.number().int(),
};

export const RunStartedEvent = z.object({
  type: z.literal('started'),
  ...base,
  backend: BackendName,
  tfjs_version: z.string(),
  device: z.string(),
  /** Epochs already done when this attempt began (resumed from a checkpoint). */
  resumed_from_epoch: z.number().int().min(0),
});

export const RunEpochEvent = z.object({ type: z.literal('epoch'), ...base, metrics: EpochMetrics });

export const RunCompletedEvent = z.object({ type: z.literal('completed'), ...base });

export const RunFailedEvent = z.object({
  type: z.literal('failed'),
  ...base,
  error: z.string(),
  /** True when BullMQ will retry the job; the run then goes back to `queued`, not `failed`. */
  will_retry: z.boolean(),
});

/**
 * What a program logged at one step (its `log({...}, step=)`): every key is kept per run and step; the
 * values of the sweep's metric, in order, are the run's iterations for hyperband (as W&B counts them).
 */
export const RunMetricsEvent = z.object({
  type: z.literal('metrics'),
  ...base,
  step: z.number().int().min(0),
  values: z.record(z.string().min(1), z.number().finite()),
});
export type RunMetricsEvent = z.infer<typeof RunMetricsEvent>;

export const RunCancelledEvent = z.object({ type: z.literal('cancelled'), ...base });

export const ARTIFACT_KIND_NAMES = ['final', 'best'] as const;

/**
 * Weights worth keeping: `final` after the last epoch, `best` at an epoch that improved the sweep's
 * metric. The weights themselves (the epoch's checkpoint) wait under `artifactBlob(run, kind)`; the
 * event says which epoch they must be, so a blob already replaced by a later best is recognised.
 */
export const RunArtifactEvent = z.object({
  type: z.literal('artifact'),
  ...base,
  kind: z.enum(ARTIFACT_KIND_NAMES),
  epoch: z.number().int().min(1),
  metric_name: z.string().min(1),
  metric_value: z.number(),
  val_acc: z.number(),
  /** The trainer's code version, recorded in the file's metadata. */
  code_version: z.string(),
});
export type RunArtifactEvent = z.infer<typeof RunArtifactEvent>;

export const RunEvent = z.discriminatedUnion('type', [
  RunStartedEvent,
  RunEpochEvent,
  RunCompletedEvent,
  RunFailedEvent,
  RunCancelledEvent,
  RunArtifactEvent,
  RunMetricsEvent,
]);
export type RunEvent = z.infer<typeof RunEvent>;
export type RunEventType = RunEvent['type'];

/** The stream entry for `event`: its JSON with the schema version this code writes. */
export function serializeRunEvent(event: RunEvent): string {
  return JSON.stringify({ ...event, schema_version: RUN_EVENT_SCHEMA_VERSION });
}
