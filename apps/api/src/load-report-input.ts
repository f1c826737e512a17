import { type Db, getSweep, listRuns, MAX_METRICS_LIMIT, queryMetrics } from '@sweeplab/db';
import type { ReportEpochRow, ReportInput, ReportRunRow } from '@sweeplab/report';
import { parameterCounts } from './parameter-counts.ts';

/**
 * Everything `buildReport` needs for one sweep, read from the metrics database only; undefined when
 * the sweep does not exist. Shared by the report endpoint and the `npm run report` CLI.
 */
export function loadReportInput(db: Db, sweepId: string): ReportInput | undefined {
  // One read transaction: the ingester keeps inserting epochs, and paging through a moving table
  // could return an epoch twice (or miss one) as the offsets shift under the reader.
  return db.$client.transaction(() => readSnapshot(db, sweepId))();
}

function readSnapshot(db: Db, sweepId: string): ReportInput | undefined {
  const sweep = getSweep(db, sweepId);
  if (!sweep) return undefined;
  const runs: ReportRunRow[] = listRuns(db, { sweepId }).map((r) => ({
    id: r.id,
    model: r.model,
    dataset: r.dataset,
    lr: r.lr,
    batch_size: r.batch_size,
    momentum: r.momentum,
    seed: r.seed,
    epochs: r.epochs,
    train_subset: r.train_subset,
    val_subset: r.val_subset,
    status: r.status,
    backend: r.backend,
    device: r.device,
    error: r.error,
    attempt: r.attempt,
    optimizer: r.optimizer,
    nesterov: r.nesterov,
    weight_decay: r.weight_decay,
    lr_schedule: r.lr_schedule,
    lr_step_epochs: r.lr_step_epochs,
    lr_gamma: r.lr_gamma,
    warmup_epochs: r.warmup_epochs,
    depth: r.depth,
  }));

  const epochs: ReportEpochRow[] = [];
  for (let offset = 0; ; offset += MAX_METRICS_LIMIT) {
    const page = queryMetrics(db, { sweepId, limit: MAX_METRICS_LIMIT, offset });
    for (const m of page.rows) {
      epochs.push({
        run_id: m.run_id,
        epoch: m.epoch,
        train_loss: m.train_loss,
        train_acc: m.train_acc,
        val_loss: m.val_loss,
        val_acc: m.val_acc,
        epoch_seconds: m.epoch_seconds,
        images_per_second: m.images_per_second,
      });
    }
    if (page.rows.length < MAX_METRICS_LIMIT || epochs.length >= page.total) break;
  }

  const metric =
    sweep.metric_name !== null && sweep.metric_goal !== null
      ? { name: sweep.metric_name, goal: sweep.metric_goal }
      : null;
  return {
    sweep: { id: sweep.id, name: sweep.name, method: sweep.method, created_at: sweep.created_at, metric },
    runs,
    epochs,
    parameterCounts: parameterCounts(runs),
  };
}
