import { z } from 'zod';
import type { ProgramParamValue } from './program-command.ts';
import { BUILTIN_PROGRAM, ProgramName } from './programs.ts';
import { RunParams } from './run-params.ts';
import { ResolvedMetric } from './wandb-compat.ts';

/**
 * Version of the job payload's shape. A worker runs payloads of this version or older (each older one
 * is a subset: version 1 had no programs); a newer one is handed back to the queue for a worker that
 * understands it (see the worker's processTrainJob). Raise it when a change to the payload would make
 * an older worker train something else than asked. 2: program jobs (ProgramJobPayload).
 */
export const TRAIN_JOB_SCHEMA_VERSION = 2;

const jobBase = {
  /** Absent in payloads written before versions existed, which are version 1. */
  schema_version: z.number().int().min(1).max(TRAIN_JOB_SCHEMA_VERSION).default(1),
  run_id: z.string().min(1),
  sweep_id: z.string().min(1).nullable(),
};

/** The BullMQ job payload of a built-in run: one job per run, and the job id is the run id. */
export const TrainJobPayload = z
  .object({
    ...jobBase,
    params: RunParams,
    /** The sweep's metric: which epoch's weights are kept as the `best` artifact (val_acc, maximised, if absent). */
    metric: ResolvedMetric.nullable().optional(),
  })
  .strict();
export type TrainJobPayload = z.infer<typeof TrainJobPayload>;

const JsonValue: z.ZodType<ProgramParamValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().finite(),
    z.boolean(),
    z.null(),
    z.array(JsonValue),
    z.record(z.string(), JsonValue),
  ]),
);

/** A sweep metric of a program: any name the program logs. */
export const ProgramMetric = z
  .object({ name: z.string().min(1), goal: z.enum(['maximize', 'minimize']) })
  .strict();
export type ProgramMetric = z.infer<typeof ProgramMetric>;

/** The payload of a program run (version 2): which program, its command and the raw parameters. */
export const ProgramJobPayload = z
  .object({
    ...jobBase,
    program: ProgramName.refine((n) => n !== BUILTIN_PROGRAM, 'the built-in program takes params'),
    /** The sweep's `command` (W&B macros); absent: `${env} ${interpreter} ${program} ${args}`. */
    command: z.array(z.string()).optional(),
    /** The run's parameters as the sweep made them, under the sweep's names. */
    program_params: z.record(z.string(), JsonValue),
    metric: ProgramMetric.nullable().optional(),
    /** How often a run whose program fails (non-zero exit, signal) is started again: the sweep's `retries`. */
    retries: z.number().int().min(0).optional(),
  })
  .strict();
export type ProgramJobPayload = z.infer<typeof ProgramJobPayload>;

/** Any job a worker may take: a built-in run or a program run. */
export const JobPayload = z.union([TrainJobPayload, ProgramJobPayload]);
export type JobPayload = z.infer<typeof JobPayload>;
/** A job as the API hands it to the queue (the queue writes the schema version). */
export type NewJobPayload =
  | Omit<TrainJobPayload, 'schema_version'>
  | Omit<ProgramJobPayload, 'schema_version'>;

/**
 * Validates a job's data against the payload it claims to be (a program run when it names a program,
 * else a built-in run), so a bad payload's errors name its own fields instead of the union's bare
 * "Invalid input".
 */
export function parseJobPayload(data: unknown): ReturnType<typeof JobPayload.safeParse> {
  const namesProgram = typeof data === 'object' && data !== null && 'program' in data;
  return namesProgram ? ProgramJobPayload.safeParse(data) : TrainJobPayload.safeParse(data);
}

export function isProgramJob(payload: JobPayload): payload is ProgramJobPayload {
  return 'program' in payload;
}

/** The program a job runs, read before (and without) validating the rest: routing needs only this. */
export function jobProgram(payload: object): string {
  const program = (payload as { program?: unknown }).program;
  return typeof program === 'string' ? program : BUILTIN_PROGRAM;
}

/** The payload's version as written, read before (and without) validating the rest. */
export function payloadSchemaVersion(data: unknown): number | 'invalid' {
  const raw = (data as { schema_version?: unknown } | null)?.schema_version;
  if (raw === undefined) return 1;
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 ? raw : 'invalid';
}
