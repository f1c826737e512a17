import { type Db, getSweep, listRuns, MAX_METRICS_LIMIT, queryMetrics } from '@sweeplab/db';
import {
  REPORT_RUN_STATE_FIELDS,
  type ReportEpochRow,
  type ReportInput,
  type ReportRunRow,
} from '@sweeplab/report';
import { EPOCH_METRIC_FIELDS, pickFields, RUN_PARAM_FIELDS } from '@sweeplab/shared';

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
    ...pickFields(r, RUN_PARAM_FIELDS),
    ...pickFields(r, REPORT_RUN_STATE_FIELDS),
  }));

  const epochs: ReportEpochRow[] = [];
  for (let offset = 0; ; offset += MAX_METRICS_LIMIT) {
    const page = queryMetrics(db, { sweepId, limit: MAX_METRICS_LIMIT, offset });
    for (const m of page.rows) {
      epochs.push({ run_id: m.run_id, epoch: m.epoch, ...pickFields(m, EPOCH_METRIC_FIELDS) });
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
  };
}
