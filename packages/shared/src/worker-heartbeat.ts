import { z } from 'zod';
import { BackendName } from './datasets-and-backends.ts';
import { BUILTIN_PROGRAM } from './programs.ts';

/** The state a worker publishes every few seconds under a key that expires when it stops. */
export const WorkerHeartbeat = z.object({
  worker_id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /** GPU ids when WORKER_GPUS is set, otherwise `cpu0..cpuN-1` slot names. */
  slots: z.array(z.string()),
  backend: BackendName.nullable(),
  running_runs: z.array(z.string()),
  /** The programs this worker runs (absent from older workers, which run the built-in one only). */
  programs: z.array(z.string()).default([BUILTIN_PROGRAM]),
  images_per_second: z.number().min(0),
  started_at: z.number().int(),
  last_heartbeat: z.number().int(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;
