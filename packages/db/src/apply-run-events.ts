import {
  attemptAfter,
  canTransition,
  EPOCH_METRIC_FIELDS,
  type RunEvent,
  type RunStatus,
} from '@sweeplab/shared';
import type Database from 'better-sqlite3';
import type { Db } from './open-database.ts';
import { isoTimestamp } from './timestamps.ts';

/** How each event of a batch was handled; the five counts add up to the batch length. */
export interface ApplyRunEventsResult {
  /** Changed the database. */
  applied: number;
  /** From an attempt lower than the run's (or, for an epoch, lower than the stored row's): ignored. */
  fenced: number;
  /** For a run id the database does not know: ignored. */
  unknown: number;
  /** A re-delivery of something already recorded (the stream is at-least-once). */
  duplicates: number;
  /** Refused by the state machine, e.g. `completed` for a run already cancelled. */
  refused: number;
  /** Positions in the batch of the `unknown` events, so the caller can keep them rather than drop them. */
  unknownAt: number[];
}

interface Statements {
  selectRun: Database.Statement<[string], { status: RunStatus; attempt: number }>;
  started: Database.Statement;
  fenceOnly: Database.Statement;
  insertEpoch: Database.Statement;
  selectEpochAttempt: Database.Statement<[string, number], { attempt: number }>;
  replaceEpoch: Database.Statement;
  finish: Database.Statement;
  requeue: Database.Statement;
  upsertMetric: Database.Statement;
  batch: Database.Transaction<(events: readonly RunEvent[]) => ApplyRunEventsResult>;
}

/** The epoch_metrics columns an event writes: its keys, the schema's metric fields, and when it landed. */
const EPOCH_ROW_COLUMNS = ['run_id', 'epoch', 'attempt', ...EPOCH_METRIC_FIELDS, 'recorded_at'];

// Prepared once per connection: preparing is a large share of the cost of a small batch.
const cache = new WeakMap<Database.Database, Statements>();

function statements(client: Database.Database): Statements {
  const existing = cache.get(client);
  if (existing) return existing;
  const s: Omit<Statements, 'batch'> = {
    selectRun: client.prepare('SELECT status, attempt FROM runs WHERE id = ?'),
    started: client.prepare(
      `UPDATE runs SET attempt = @attempt, worker = @worker, backend = @backend,
         tfjs_version = @tfjs_version, device = @device, resumed_from_epoch = @resumed_from_epoch,
         started_at = @at, status = 'running'
       WHERE id = @id`,
    ),
    fenceOnly: client.prepare('UPDATE runs SET attempt = max(attempt, ?) WHERE id = ?'),
    insertEpoch: client.prepare(
      `INSERT INTO epoch_metrics (${EPOCH_ROW_COLUMNS.join(', ')})
       VALUES (${EPOCH_ROW_COLUMNS.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (run_id, epoch) DO NOTHING`,
    ),
    selectEpochAttempt: client.prepare('SELECT attempt FROM epoch_metrics WHERE run_id = ? AND epoch = ?'),
    replaceEpoch: client.prepare(
      `UPDATE epoch_metrics SET ${['attempt', ...EPOCH_METRIC_FIELDS, 'recorded_at'].map((c) => `${c} = @${c}`).join(', ')}
       WHERE run_id = @run_id AND epoch = @epoch AND attempt <= @attempt`,
    ),
    finish: client.prepare(
      'UPDATE runs SET status = @status, finished_at = @at, error = coalesce(@error, error) WHERE id = @id',
    ),
    requeue: client.prepare("UPDATE runs SET status = 'queued', error = @error WHERE id = @id"),
    // A re-delivery or a restarted program logging the same step again keeps one row per key and step.
    upsertMetric: client.prepare(
      `INSERT INTO run_metrics (run_id, key, step, attempt, value, recorded_at)
       VALUES (@run_id, @key, @step, @attempt, @value, @recorded_at)
       ON CONFLICT (run_id, key, step) DO UPDATE SET attempt = excluded.attempt, value = excluded.value,
         recorded_at = excluded.recorded_at
       WHERE excluded.attempt >= run_metrics.attempt
         AND (excluded.attempt > run_metrics.attempt OR excluded.value IS NOT run_metrics.value)`,
    ),
  };
  // IMMEDIATE: the batch reads then writes; taking the write lock first means another writer makes
  // us wait (busy_timeout) rather than fail with SQLITE_BUSY on the read-to-write upgrade.
  const run = client.transaction((events: readonly RunEvent[]) => applyBatch(s, events));
  const full: Statements = { ...s, batch: run.immediate as Statements['batch'] };
  cache.set(client, full);
  return full;
}

function emptyResult(): ApplyRunEventsResult {
  return { applied: 0, fenced: 0, unknown: 0, duplicates: 0, refused: 0, unknownAt: [] };
}

function applyBatch(s: BatchStatements, events: readonly RunEvent[]): ApplyRunEventsResult {
  const result = emptyResult();
  // Runs touched by this batch, kept current as events apply, so a batch of epochs reads each run once.
  const known = new Map<string, KnownRun | null>();
  for (const [position, event] of events.entries()) {
    let run = known.get(event.run_id);
    if (run === undefined) {
      const row = s.selectRun.get(event.run_id);
      run = row ? { status: row.status, attempt: row.attempt } : null;
      known.set(event.run_id, run);
    }
    if (run === null) {
      result.unknown++;
      result.unknownAt.push(position);
      continue;
    }
    if (attemptAfter(run, null, event.attempt) === null) {
      result.fenced++;
      continue;
    }
    const at = isoTimestamp(event.at);
    let outcome: Outcome;
    if (event.type === 'started') outcome = applyStarted(s, run, event, at);
    else if (event.type === 'epoch') outcome = applyEpoch(s, event, at);
    else if (event.type === 'metrics') outcome = applyMetrics(s, event, at);
    // Artifacts are files plus rows, stored by the API's artifact store before the batch applies.
    else if (event.type === 'artifact') outcome = 'refused';
    else outcome = applyFinished(s, run, event, at);
    result[outcome]++;
  }
  return result;
}

/** A run as this batch has left it so far. */
interface KnownRun {
  status: RunStatus;
  attempt: number;
}
type Outcome = Exclude<keyof ApplyRunEventsResult, 'unknown'>;
/** The statements one batch uses (the batch transaction itself excluded). */
type BatchStatements = Omit<Statements, 'batch'>;

/** An attempt started (not lower than the run's: fenced before). */
function applyStarted(
  s: BatchStatements,
  run: KnownRun,
  event: Extract<RunEvent, { type: 'started' }>,
  at: string,
): Outcome {
  // Lower attempts are fenced above, so what the fence refuses here is the running attempt starting
  // again: a re-delivery. A higher one takes the run over.
  if (attemptAfter(run, 'running', event.attempt) === null) return 'duplicates';
  if (!canTransition(run.status, 'running')) {
    // A finished run keeps its worker and timings; only the fence moves, so the stray attempt's
    // later events are still recognised as belonging to the newest attempt.
    if (event.attempt > run.attempt) s.fenceOnly.run(event.attempt, event.run_id);
    run.attempt = event.attempt;
    return 'refused';
  }
  s.started.run({
    id: event.run_id,
    attempt: event.attempt,
    worker: event.worker_id,
    backend: event.backend,
    tfjs_version: event.tfjs_version,
    device: event.device,
    resumed_from_epoch: event.resumed_from_epoch,
    at,
  });
  run.attempt = event.attempt;
  run.status = 'running';
  return 'applied';
}

/** An epoch row, upserted only over a row of the same or a lower attempt. */
function applyEpoch(s: BatchStatements, event: Extract<RunEvent, { type: 'epoch' }>, at: string): Outcome {
  const m = event.metrics;
  const row = {
    run_id: event.run_id,
    epoch: m.epoch,
    attempt: event.attempt,
    // A metric an older worker does not send (lr) is stored as null.
    ...Object.fromEntries(EPOCH_METRIC_FIELDS.map((f) => [f, m[f] ?? null])),
    recorded_at: at,
  };
  if (s.insertEpoch.run(row).changes === 1) return 'applied';
  // Conflicts are rare (re-delivery or a retried attempt redoing an epoch): resolve them slowly.
  const stored = s.selectEpochAttempt.get(event.run_id, m.epoch);
  if (stored && stored.attempt > event.attempt) return 'fenced';
  s.replaceEpoch.run(row);
  return stored && stored.attempt === event.attempt ? 'duplicates' : 'applied';
}

/** A program's logged values at one step: one row per key, over rows of the same or a lower attempt. */
function applyMetrics(
  s: BatchStatements,
  event: Extract<RunEvent, { type: 'metrics' }>,
  at: string,
): Outcome {
  let changed = 0;
  for (const [key, value] of Object.entries(event.values)) {
    changed += s.upsertMetric.run({
      run_id: event.run_id,
      key,
      step: event.step,
      attempt: event.attempt,
      value,
      recorded_at: at,
    }).changes;
  }
  return changed > 0 ? 'applied' : 'duplicates';
}

/** `completed`, `cancelled` or `failed` (back to `queued` when the worker will retry). */
function applyFinished(
  s: BatchStatements,
  run: KnownRun,
  event: Extract<RunEvent, { type: 'completed' | 'cancelled' | 'failed' }>,
  at: string,
): Outcome {
  const error = event.type === 'failed' ? event.error : null;
  const retry = event.type === 'failed' && event.will_retry;
  const target: RunStatus = retry ? 'queued' : event.type;
  if (run.status === target) return 'duplicates';
  if (!canTransition(run.status, target)) return 'refused';
  if (retry) s.requeue.run({ id: event.run_id, error });
  else s.finish.run({ id: event.run_id, status: target, at, error });
  run.status = target;
  return 'applied';
}

/**
 * The ingestion path: applies a batch of worker events in one transaction (all or nothing), fencing off
 * superseded attempts. Safe to call again with the same events.
 */
export function applyRunEvents(db: Db, events: readonly RunEvent[]): ApplyRunEventsResult {
  if (events.length === 0) return emptyResult();
  return statements(db.$client).batch(events);
}
