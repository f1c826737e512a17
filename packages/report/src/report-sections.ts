import { RUN_STATUSES } from '@sweeplab/shared';
import type { ConditionGroup, ModelSummary, Report } from './report.ts';

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
