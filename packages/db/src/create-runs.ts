import { randomUUID } from 'node:crypto';
import { type RunParams, storedRunParams } from '@sweeplab/shared';
import type { Db } from './open-database.ts';
import {
  type MetricGoal,
  type NewRun,
  type Run,
  runs,
  type Sweep,
  type SweepMethod,
  sweeps,
} from './schema.ts';
import { isoTimestamp } from './timestamps.ts';

export interface NewRunInput {
  /** Defaults to a random UUID; the API may pick its own (the BullMQ job id is the run id). */
  id?: string;
  params: RunParams;
  /** A program run (issue #21): the program and its parameters; `params` then only fill the built-in columns. */
  program?: { name: string; params: Record<string, unknown> } | undefined;
}

export interface CreateSweepInput {
  id?: string;
  name: string;
  method: SweepMethod;
  /** The submitted sweep config, stored as JSON for provenance. */
  config: unknown;
  metric?: { name: string; goal: MetricGoal } | null;
  runs: readonly NewRunInput[];
  /** Milliseconds since the epoch; defaults to now. */
  now?: number;
}

function runValues(input: NewRunInput, sweepId: string | null, queuedAt: string): NewRun {
  const p = input.params;
  return {
    id: input.id ?? randomUUID(),
    sweep_id: sweepId,
    ...storedRunParams(p),
    program: input.program?.name ?? null,
    program_params: input.program?.params ?? null,
    status: 'queued',
    attempt: 0,
    queued_at: queuedAt,
  };
}

const INSERT_CHUNK = 500;

/** Inserts the sweep and all its runs atomically: a sweep is never visible with only some runs. */
export function createSweep(db: Db, input: CreateSweepInput): { sweep: Sweep; runs: Run[] } {
  const createdAt = isoTimestamp(input.now);
  const sweepId = input.id ?? randomUUID();
  // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout) instead of
  // failing when this transaction upgrades from read to write.
  return db.$client
    .transaction(() => {
      const sweep = db
        .insert(sweeps)
        .values({
          id: sweepId,
          name: input.name,
          method: input.method,
          config: input.config,
          metric_name: input.metric?.name ?? null,
          metric_goal: input.metric?.goal ?? null,
          created_at: createdAt,
        })
        .returning()
        .get();
      // Multi-row inserts: a 10,000-run grid costs 20 statements, not 10,000 (SQLite allows 32,766
      // bound variables per statement; a run row has about 20 columns).
      const created: Run[] = [];
      for (let i = 0; i < input.runs.length; i += INSERT_CHUNK) {
        const chunk = input.runs.slice(i, i + INSERT_CHUNK).map((run) => runValues(run, sweepId, createdAt));
        created.push(...db.insert(runs).values(chunk).returning().all());
      }
      return { sweep, runs: created };
    })
    .immediate();
}

/** A run outside any sweep (or added to an existing one with `sweepId`). */
export function createRun(db: Db, input: NewRunInput & { sweepId?: string | null; now?: number }): Run {
  try {
    return db
      .insert(runs)
      .values(runValues(input, input.sweepId ?? null, isoTimestamp(input.now)))
      .returning()
      .get();
  } catch (err) {
    throw new Error(`creating run ${input.id ?? '(new)'} failed: ${(err as Error).message}`, { cause: err });
  }
}
