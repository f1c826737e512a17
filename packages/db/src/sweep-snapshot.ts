import { bestArtifactOfSweep } from './artifacts.ts';
import { listEarlyStops } from './early-stops.ts';
import type { Db } from './open-database.ts';
import { MAX_METRICS_LIMIT, type MetricsRow, queryMetrics } from './query-metrics.ts';
import { listRuns } from './read-runs.ts';
import { getSweep, type SweepWithCounts } from './read-sweeps.ts';
import type { Artifact, EarlyStop, Run } from './schema.ts';

export interface SweepSnapshot {
  sweep: SweepWithCounts;
  /** Oldest first. */
  runs: Run[];
  /** Every epoch row of the sweep's runs, in `queryMetrics` order. */
  epochs: MetricsRow[];
  /** Why each `stopped` run was stopped, by run id. */
  earlyStops: Map<string, EarlyStop>;
  /** The sweep's best kept weights by its metric, if any were kept. */
  bestArtifact: Artifact | null;
}

/**
 * A sweep with all its runs and epoch rows as of one instant (what the report is built from);
 * undefined when the sweep does not exist.
 */
export function readSweepSnapshot(db: Db, sweepId: string): SweepSnapshot | undefined {
  // One read transaction: the ingester keeps inserting epochs, and paging through a moving table
  // could return an epoch twice (or miss one) as the offsets shift under the reader.
  return db.$client.transaction(() => {
    const sweep = getSweep(db, sweepId);
    if (!sweep) return undefined;
    const runs = listRuns(db, { sweepId });
    const epochs: MetricsRow[] = [];
    for (let offset = 0; ; offset += MAX_METRICS_LIMIT) {
      const page = queryMetrics(db, { sweepId, limit: MAX_METRICS_LIMIT, offset });
      epochs.push(...page.rows);
      if (page.rows.length < MAX_METRICS_LIMIT || epochs.length >= page.total) break;
    }
    const earlyStops = new Map(listEarlyStops(db, sweepId).map((s) => [s.run_id, s]));
    const bestArtifact = bestArtifactOfSweep(db, sweepId, sweep.metric_goal ?? 'maximize') ?? null;
    return { sweep, runs, epochs, earlyStops, bestArtifact };
  })();
}
