import { getRun, getSweep, listQueuedRunIds, listRuns, setRunStatus } from '@sweeplab/db';
import {
  type NewJobPayload,
  type ParameterValue,
  ResolvedMetric,
  runParamsFromRow,
  SweepConfig,
} from '@sweeplab/shared';
import type { ApiContext } from './api-context.ts';
import { programJob } from './program-params.ts';

export interface ReconcileResult {
  /** Runs whose job Redis lost, enqueued again. */
  requeued: string[];
  /** Running runs whose job BullMQ gave up on without a worker saying so (e.g. stalled too often). */
  failed: string[];
}

function payloadOf(ctx: ApiContext, id: string): NewJobPayload | null {
  const run = getRun(ctx.db, id);
  if (!run) return null;
  const sweep = run.sweep_id ? getSweep(ctx.db, run.sweep_id) : undefined;
  if (run.program !== null) {
    // A program run's job is rebuilt from its sweep's command and metric and its stored parameters.
    const config = SweepConfig.safeParse(sweep?.config);
    if (!config.success || !sweep) return null;
    const params = (run.program_params ?? {}) as Record<string, ParameterValue>;
    return programJob(config.data, id, sweep.id, params);
  }
  const metric = ResolvedMetric.safeParse({ name: sweep?.metric_name, goal: sweep?.metric_goal }).data;
  return {
    run_id: id,
    sweep_id: run.sweep_id,
    ...(metric ? { metric } : {}),
    params: runParamsFromRow(run),
  };
}

/**
 * Makes SQLite and Redis agree, at API start and every 30 s:
 * - a `queued` or `running` run without a job (Redis restarted without persistence, or the API died
 *   between writing the row and adding the job) is enqueued again; adding is idempotent, so racing a
 *   worker or another API is harmless;
 * - a `running` run whose job BullMQ failed on its own (a worker died more often than
 *   WORKER_MAX_STALLED_COUNT allows; no worker was left to report it) is marked failed with BullMQ's reason.
 */
export async function reconcileQueue(ctx: ApiContext): Promise<ReconcileResult> {
  const queued = listQueuedRunIds(ctx.db);
  const running = listRuns(ctx.db, { status: 'running' }).map((r) => r.id);
  const states = await ctx.queue.jobStates([...queued, ...running]);
  const requeued: string[] = [];
  const failed: string[] = [];
  for (const [id, { state, failedReason }] of states) {
    if (state === 'missing') requeued.push(id);
    else if (state === 'failed' && running.includes(id)) {
      const error = `the queue gave up on this run: ${failedReason ?? 'no reason recorded'}`;
      if (setRunStatus(ctx.db, id, 'failed', { error })) failed.push(id);
    }
  }
  const payloads = requeued.map((id) => payloadOf(ctx, id)).filter((p) => p !== null);
  await ctx.queue.enqueue(payloads);
  if (requeued.length > 0) {
    ctx.logger.warn(
      { runs: requeued.length, runIds: requeued.slice(0, 20) },
      're-enqueued runs missing from Redis',
    );
  }
  if (failed.length > 0)
    ctx.logger.warn({ runIds: failed.slice(0, 20) }, 'marked runs failed that the queue gave up on');
  return { requeued, failed };
}
