import { isTerminal, type RunStatus } from '@sweeplab/shared';
import type { SweeplabApi } from './api-client.ts';
import type { components } from './api-schema.ts';

type Run = components['schemas']['Run'];
type RunWithMetrics = components['schemas']['RunWithMetrics'];

/** A status after which nothing changes (the shared run state machine's terminal statuses). */
const finished = (status: string) => isTerminal(status as RunStatus);

export interface RunProgress {
  id: string;
  label: string;
  status: string;
  epoch: number;
  epochs: number;
  valAcc: number | null;
  /** From the mean epoch time so far; null until an epoch has finished. */
  etaSeconds: number | null;
  error: string | null;
}

export interface SweepProgress {
  id: string;
  name: string;
  runs: RunProgress[];
  /** No run queued or running, and the sweep's search (adaptive sweeps) proposes no more. */
  finished: boolean;
  failed: number;
  /** Why the sweep's search ended before its run_cap (GET /v1/sweeps/:id → search.reason), else null. */
  searchEnded: string | null;
}

/** `stopped` is an early stop by the sweep's early_terminate rule. */
export function stateLabel(status: string): string {
  return status === 'stopped' ? 'stopped early' : status;
}

function progressOf(run: Run, detail: RunWithMetrics | undefined): RunProgress {
  const metrics = detail?.metrics ?? [];
  const last = metrics[metrics.length - 1];
  const epoch = last?.epoch ?? 0;
  const mean = metrics.length > 0 ? metrics.reduce((s, m) => s + m.epoch_seconds, 0) / metrics.length : null;
  const remaining = Math.max(0, run.epochs - epoch);
  return {
    id: run.id,
    label: `${run.model} lr=${run.lr} seed=${run.seed}`,
    status: detail?.status ?? run.status,
    epoch,
    epochs: run.epochs,
    valAcc: last?.val_acc ?? null,
    etaSeconds: finished(run.status) ? 0 : mean === null ? null : mean * remaining,
    error: detail?.error ?? run.error,
  };
}

/**
 * Follows one sweep with one request for the sweep and one per run that is running (or just finished):
 * a finished run's epochs never change, so they are fetched once.
 */
export class SweepFollower {
  private readonly finishedRuns = new Map<string, RunWithMetrics>();

  constructor(
    private readonly api: SweeplabApi,
    readonly sweepId: string,
  ) {}

  private async progress(run: Run): Promise<RunProgress> {
    if (run.status === 'queued') return progressOf(run, undefined);
    let detail = this.finishedRuns.get(run.id);
    if (!detail) {
      ({ data: detail } = await this.api.call(
        this.api.client.GET('/v1/runs/{id}', { params: { path: { id: run.id } } }),
      ));
      if (finished(detail.status)) this.finishedRuns.set(run.id, detail);
    }
    return progressOf(run, detail);
  }

  async poll(): Promise<SweepProgress> {
    const { data: sweep } = await this.api.call(
      this.api.client.GET('/v1/sweeps/{id}', { params: { path: { id: this.sweepId } } }),
    );
    // At most 8 requests in flight: a finished sweep of 1,000 runs is read once, without a burst.
    const runs: RunProgress[] = [];
    for (let i = 0; i < sweep.runs.length; i += 8) {
      runs.push(...(await Promise.all(sweep.runs.slice(i, i + 8).map((run) => this.progress(run)))));
    }
    const search = sweep.search;
    return {
      id: sweep.id,
      name: sweep.name,
      runs,
      finished: runs.every((r) => finished(r.status)) && search?.status !== 'active',
      failed: runs.filter((r) => r.status === 'failed').length,
      searchEnded: search?.reason ? `search ${search.status}: ${search.reason}` : null,
    };
  }
}
