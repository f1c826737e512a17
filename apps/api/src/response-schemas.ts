import { epochMetrics, runs, SWEEP_SEARCH_STATUSES, sweepSearches, sweeps } from '@sweeplab/db';
import {
  DatasetName,
  EPOCH_METRIC_FIELDS,
  ModelName,
  RUN_PARAM_FIELDS,
  RUN_STATUSES,
  RunStatus,
  WorkerHeartbeat,
} from '@sweeplab/shared';
import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { ApiEnv } from './config.ts';
import { ImageConversion } from './mnist-image.ts';

/*
 * What the API answers with, derived from the SQLite tables (drizzle-zod) and the shared contracts, so a
 * column added to a table shows up in the OpenAPI document and the generated client without a hand copy.
 * Each schema is registered under a name: the document refers to it as components.schemas.<Name>.
 */

export const RunRecord = createSelectSchema(runs, {
  model: ModelName,
  dataset: DatasetName,
  status: RunStatus,
}).meta({ id: 'Run', description: 'A run: its parameters, status, attempt, timings and backend' });

export const EpochRecord = createSelectSchema(epochMetrics).meta({
  id: 'EpochMetrics',
  description: 'One epoch of one run: the metrics table row',
});

export const RunWithMetrics = RunRecord.extend({ metrics: z.array(EpochRecord) }).meta({
  id: 'RunWithMetrics',
  description: 'A run and its epochs in order',
});

export const StatusCounts = z
  .object(
    Object.fromEntries(RUN_STATUSES.map((s) => [s, z.number().int()])) as Record<RunStatus, z.ZodNumber>,
  )
  .meta({ id: 'RunStatusCounts', description: 'Runs per status, every status present' });

// The config exactly as submitted: any JSON.
const SweepRow = createSelectSchema(sweeps, { config: z.unknown() });

const SearchState = createSelectSchema(sweepSearches, { status: z.enum(SWEEP_SEARCH_STATUSES) }).pick({
  status: true,
  reason: true,
});

export const SweepRecord = SweepRow.extend({
  total_runs: z.number().int(),
  counts: StatusCounts,
  search: SearchState.nullable().describe(
    'bayes and random sweeps without run_cap: whether the search proposes, and why it ended (null when it reached run_cap); null for sweeps whose runs were all created at once',
  ),
}).meta({
  id: 'Sweep',
  description: 'A sweep with its run counts by status',
});

/** GET /v1/sweeps/:id → search: the search's progress (status and reason as in the list). */
const SearchDetail = z
  .object({
    method: z.string(),
    metric: z.object({ name: z.string(), goal: z.enum(['maximize', 'minimize']) }),
    status: z.enum(SWEEP_SEARCH_STATUSES).nullable().describe('null for a sweep that does not search'),
    reason: z
      .string()
      .nullable()
      .describe(
        'why the search ended when not at its run_cap (a proposal that is not a valid run, DELETE, MAX_RUNS_PER_SWEEP); null otherwise',
      ),
    runs_proposed: z.number().int(),
    run_cap: z.number().int().nullable(),
    max_concurrent: z.number().int().nullable(),
    observations: z.number().int().nullable(),
    best_run: z.object({ run_id: z.string(), value: z.number(), params: z.unknown() }).nullable(),
    runs_stopped_early: z.number().int(),
  })
  .meta({
    id: 'SweepSearch',
    description: "A sweep's search: proposals, observations, best run, why it ended",
  });

// Loose: fields a sweep's search state adds are passed through rather than silently dropped.
export const SweepDetail = SweepRecord.extend({ runs: z.array(RunRecord), search: SearchDetail.nullable() })
  .loose()
  .meta({ id: 'SweepDetail', description: 'A sweep, its counts by status and its runs' });

export const CreatedSweep = SweepRow.extend({
  warnings: z.array(z.string()).describe('W&B keys accepted without effect or mapped to ours, one line each'),
  runs: z.array(
    z.object({
      id: z.string(),
      status: RunStatus,
      params: z.unknown().optional().describe('absent for bayes sweeps: their runs are proposed later'),
      program: z.string().optional().describe('the program the run starts (program sweeps only)'),
      program_params: z
        .record(z.string(), z.unknown())
        .optional()
        .describe("the run's parameters under the sweep's names (program sweeps only)"),
    }),
  ),
}).meta({ id: 'CreatedSweep', description: 'The sweep just queued, with the id and parameters of each run' });

export const SweepCancellation = z
  .object({
    id: z.string(),
    cancelled: z.array(z.string()).describe('ids of the runs cancelled'),
    artifact_files_deleted: z.number().int().describe('weight files removed with the sweep'),
  })
  .meta({ id: 'SweepCancellation' });

export const Worker = WorkerHeartbeat.meta({
  id: 'Worker',
  description: 'A live worker (its last heartbeat)',
});

export const WorkerList = z
  .object({
    workers: z.array(Worker),
    artifacts: z
      .object({
        files: z.number().int().describe('distinct weight files on disk'),
        bytes: z.number().int(),
        rows: z.number().int().describe('artifact records (several may share one file)'),
        keep: ApiEnv.shape.ARTIFACT_KEEP,
      })
      .describe('the kept weights: disk use and the ARTIFACT_KEEP policy'),
  })
  .meta({ id: 'WorkerList', description: 'Live workers, and the disk use of kept weights' });

/** A mask selecting `fields` for zod's pick: the field lists are the shared schemas' own. */
function fieldMask<K extends string>(fields: readonly K[]): Record<K, true> {
  return Object.fromEntries(fields.map((f) => [f, true])) as Record<K, true>;
}

// The metrics table's columns (db's METRICS_COLUMNS): the run, every run parameter, status, epoch, metrics.
export const MetricsRow = RunRecord.pick({ sweep_id: true, status: true, ...fieldMask(RUN_PARAM_FIELDS) })
  .extend({ run_id: z.string() })
  .extend(EpochRecord.pick({ epoch: true, ...fieldMask(EPOCH_METRIC_FIELDS) }).shape)
  .meta({ id: 'MetricsRow', description: 'One run × epoch with every run parameter' });

export const MetricsPage = z
  .object({
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    rows: z.array(MetricsRow),
  })
  .meta({
    id: 'MetricsPage',
    description: 'A page of the metrics table (format=json); format=csv answers text/csv with X-Total-Count',
  });

export const Health = z.object({ ok: z.literal(true) }).meta({ id: 'Health' });

// Loose: further readiness facts (e.g. the ingest lease) pass through.
export const Readiness = z
  .object({ ready: z.boolean(), checks: z.record(z.string(), z.unknown()) })
  .loose()
  .meta({ id: 'Readiness', description: 'ready is true when Redis and the database answer' });

export const Predictions = z
  .object({
    run_id: z.string(),
    kind: z.enum(['best', 'final']),
    epoch: z.number().int().describe('the epoch whose weights answered'),
    model: ModelName,
    sha256: z.string().describe('the weights file'),
    predictions: z.array(
      z.object({
        index: z.number().int().describe('images first (in order), then arrays'),
        source: z.enum(['png', 'jpeg', 'array']),
        width: z.number().int(),
        height: z.number().int(),
        inverted: z
          .boolean()
          .describe('a light background: the image was inverted to MNIST’s white on black'),
        conversion: ImageConversion.nullable().describe('what was done to an image; null for an array'),
        class: z.number().int().describe('the most probable digit'),
        probabilities: z.array(z.number()).describe('one per class 0–9'),
      }),
    ),
  })
  .meta({ id: 'Predictions', description: 'Class probabilities of each image from a run’s weights' });
