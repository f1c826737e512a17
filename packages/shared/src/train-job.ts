import { z } from 'zod';
import { RunParams } from './run-params.ts';
import { ResolvedMetric } from './sweep-compat.ts';

/** The BullMQ job payload: one job per run, and the job id is the run id. */
export const TrainJobPayload = z
  .object({
    run_id: z.string().min(1),
    sweep_id: z.string().min(1).nullable(),
    params: RunParams,
    /** The sweep's metric: which epoch's weights are kept as the `best` artifact (val_acc, maximised, if absent). */
    metric: ResolvedMetric.nullable().optional(),
  })
  .strict();
export type TrainJobPayload = z.infer<typeof TrainJobPayload>;
