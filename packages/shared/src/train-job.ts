import { z } from 'zod';
import { RunParams } from './run-params.ts';
import { ResolvedMetric } from './sweep-compat.ts';

/**
 * Version of the job payload's shape. A worker runs only payloads of exactly this version; any other
 * is handed back to the queue for a worker that understands it (see the worker's processTrainJob).
 * Raise it when a change to the payload would make an older worker train something else than asked.
 */
export const TRAIN_JOB_SCHEMA_VERSION = 1;

/** The BullMQ job payload: one job per run, and the job id is the run id. */
export const TrainJobPayload = z
  .object({
    /** Absent in payloads written before versions existed, which are version 1. */
    schema_version: z.number().int().min(1).default(1),
    run_id: z.string().min(1),
    sweep_id: z.string().min(1).nullable(),
    params: RunParams,
    /** The sweep's metric: which epoch's weights are kept as the `best` artifact (val_acc, maximised, if absent). */
    metric: ResolvedMetric.nullable().optional(),
  })
  .strict();
export type TrainJobPayload = z.infer<typeof TrainJobPayload>;

/** The payload's version as written, read before (and without) validating the rest. */
export function payloadSchemaVersion(data: unknown): number | 'invalid' {
  const raw = (data as { schema_version?: unknown } | null)?.schema_version;
  if (raw === undefined) return 1;
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 ? raw : 'invalid';
}
