import { RUN_STATUSES } from '@sweeplab/shared';
import type { ConditionGroup, ModelSummary, Report } from './report.ts';
import type { ReportEarlyTermination } from './report-input.ts';

/**
 * Decisions shared by the markdown and HTML renderers, so both show the same tables in the same
 * order: which groups get an lr heading, how a model is labelled, the progress sentence.
 */

export function hasSeveralLearningRates(report: Report): boolean {
  return report.learningRates.length > 1;
}

export function modelLabel(m: ModelSummary): string {
  return m.bestLr === true ? `${m.model} (best lr)` : m.model;
}

export function progressSentence(report: Report): string {
  const p = report.progress;
  const parts = RUN_STATUSES.filter((s) => p[s] > 0).map((s) => `${p[s]} ${s}`);
  const runs = `${p.total} run${p.total === 1 ? '' : 's'}`;
  return parts.length === 0 ? `${runs}.` : `${runs}: ${parts.join(', ')}.`;
}

export const IN_PROGRESS_NOTE =
  'This sweep is still in progress: tables use completed runs only, curves also show epochs of running runs, and every number may still change.';

export function checkpointHeading(group: ConditionGroup): string {
  const e = group.checkpoints;
  const list = e.length === 1 ? `${e[0]}` : `${e.slice(0, -1).join(', ')} and ${e.at(-1)}`;
  return `Training loss and validation accuracy at epoch${e.length === 1 ? '' : 's'} ${list}`;
}

export const CHECKPOINT_EXPLANATION =
  'Mean ± sample standard deviation (n − 1) over seeds; n = completed seeds with a row at that epoch. Training loss is the mean over the epoch’s batches.';

export const COMPARISON_EXPLANATION =
  'Difference in mean final validation accuracy (higher minus lower, percentage points), 95% confidence interval with Welch–Satterthwaite degrees of freedom, and Welch’s two-sided t-test over seeds.';

/**
 * The early-termination rung table both renderers draw: one row per band (hyperband), rung per
 * bracket (asha) or epoch (median), with the runs that reached it, were stopped there and went on.
 */
export function earlyTerminationTable(t: ReportEarlyTermination): {
  heading: string;
  caption: string;
  headers: string[];
  rows: string[][];
} {
  const unit = t.rule === 'asha' ? 'rung' : t.rule === 'median' ? 'epoch' : 'band';
  const brackets = t.rungs.some((r) => r.bracket !== null && r.bracket > 0);
  const fmt = (v: number | null) => (v === null ? '—' : Number(v.toPrecision(4)).toString());
  return {
    heading: `Early termination (${t.rule})`,
    caption:
      t.rule === 'median'
        ? 'Per epoch: runs that reached it, runs stopped there, runs that went on, and the median of the completed runs at that epoch (what a run’s best value so far is compared with).'
        : `Per ${unit}: runs that reached it, runs stopped there, runs that went on, and the threshold a run reaching it now is compared with.`,
    headers: [...(brackets ? ['bracket'] : []), unit, 'reached', 'stopped', 'kept', 'threshold now'],
    rows: t.rungs.map((r) => [
      ...(brackets ? [String(r.bracket)] : []),
      String(Number(r.rung.toPrecision(4))),
      String(r.reached),
      String(r.stopped),
      String(r.kept),
      fmt(r.threshold),
    ]),
  };
}
