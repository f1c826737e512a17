import { type Artifact, type Db, readSweepSnapshot } from '@sweeplab/db';
import {
  REPORT_RUN_STATE_FIELDS,
  type ReportBestWeights,
  type ReportEpochRow,
  type ReportInput,
  type ReportRunRow,
} from '@sweeplab/report';
import { EPOCH_METRIC_FIELDS, pickFields, RUN_PARAM_FIELDS } from '@sweeplab/shared';
import { weightsUrl } from './artifact-urls.ts';

/**
 * Everything `buildReport` needs for one sweep, read from the metrics database only; undefined when
 * the sweep does not exist. Shared by the report endpoint and the `npm run report` CLI.
 */
export function loadReportInput(db: Db, sweepId: string): ReportInput | undefined {
  const snapshot = readSweepSnapshot(db, sweepId);
  if (!snapshot) return undefined;
  const { sweep } = snapshot;
  const runs: ReportRunRow[] = snapshot.runs.map((r) => ({
    id: r.id,
    ...pickFields(r, RUN_PARAM_FIELDS),
    ...pickFields(r, REPORT_RUN_STATE_FIELDS),
    ...(snapshot.earlyStops.has(r.id) ? { early_stop: snapshot.earlyStops.get(r.id) } : {}),
  }));

  const epochs: ReportEpochRow[] = snapshot.epochs.map((m) => ({
    run_id: m.run_id,
    epoch: m.epoch,
    ...pickFields(m, EPOCH_METRIC_FIELDS),
  }));

  const metric =
    sweep.metric_name !== null && sweep.metric_goal !== null
      ? { name: sweep.metric_name, goal: sweep.metric_goal }
      : null;
  return {
    sweep: {
      id: sweep.id,
      name: sweep.name,
      method: sweep.method,
      created_at: sweep.created_at,
      metric,
      search: sweep.search,
    },
    runs,
    epochs,
    bestWeights: bestWeightsOf(snapshot.bestArtifact),
  };
}

function bestWeightsOf(a: Artifact | null): ReportBestWeights | null {
  if (!a) return null;
  return {
    run_id: a.run_id,
    kind: a.kind,
    epoch: a.epoch,
    metric_name: a.metric_name,
    metric_value: a.metric_value,
    url: weightsUrl(a.run_id, a.kind),
  };
}
