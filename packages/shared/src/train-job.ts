import { z } from 'zod';
import { RunParams } from './run-params.ts';

/** The BullMQ job payload: one job per run, and the job id is the run id. */
export const TrainJobPayload = z
  .object({
    run_id: z.string().min(1),
    sweep_id: z.string().min(1).nullable(),
    params: RunParams,
  })
  .strict();
export type TrainJobPayload = z.infer<typeof TrainJobPayload>;
