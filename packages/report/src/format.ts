import type { Stat } from './descriptive-stats.ts';
import type { Condition, ReachSummary } from './report.ts';

/** Shared number formatting so markdown, HTML and verdict sentences print identical figures. */

export const MISSING = '—';

export function formatPercent(fraction: number | null | undefined, digits = 2): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return MISSING;
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A difference of two accuracies, in percentage points. */
export function formatPoints(fractionDifference: number, digits = 2): string {
  return (fractionDifference * 100).toFixed(digits);
}

/** Three significant digits; below 0.001 only the bound, since more digits there are noise. */
export function formatP(p: number): string {
  if (p < 0.001) return '< 0.001';
  return `= ${Number(p.toPrecision(3))}`;
}

/** Loss values span decades, so significant digits rather than fixed decimals. */
export function formatLoss(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return MISSING;
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

export function formatCount(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return MISSING;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "mean ± std (n=k)"; the ± part is dropped for a single seed because there is no spread to show. */
export function formatStat(
  stat: Stat | null,
  format: (x: number) => string,
  showN = true,
  formatStd: (std: number, mean: number) => string = (std) => format(std),
): string {
  if (stat === null) return MISSING;
  const spread = stat.std === null ? '' : ` ± ${formatStd(stat.std, stat.mean)}`;
  return `${format(stat.mean)}${spread}${showN ? ` (n=${stat.n})` : ''}`;
}

export const percentNumber = (fraction: number) => (fraction * 100).toFixed(2);
export const lossNumber = (x: number) => formatLoss(x);

/** A loss std to the same decimal place as its 3-significant-digit mean ("0.0354 ± 0.0009"). */
export const lossStd = (std: number, meanValue: number) => {
  if (!Number.isFinite(meanValue) || meanValue === 0 || Math.abs(meanValue) >= 100) return formatLoss(std);
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(meanValue))));
  return std.toFixed(Math.min(decimals, 20));
};

/** The recipe where it differs from the reference (sgd, constant lr, depth 1): "adamw, weight decay 0.01". */
export function describeRecipe(c: Condition): string[] {
  const parts: string[] = [];
  if (c.optimizer !== 'sgd' || c.nesterov) parts.push(c.nesterov ? 'sgd (nesterov)' : c.optimizer);
  if (c.weight_decay !== 0) parts.push(`weight decay ${c.weight_decay}`);
  if (c.lr_schedule === 'step') parts.push(`lr ×${c.lr_gamma} every ${c.lr_step_epochs} epochs`);
  if (c.lr_schedule === 'cosine') parts.push('cosine lr');
  if (c.warmup_epochs > 0) parts.push(`${c.warmup_epochs} warmup epoch${c.warmup_epochs === 1 ? '' : 's'}`);
  if (c.depth !== 1) parts.push(`depth ${c.depth} (blocks per stage)`);
  return parts;
}

export function describeCondition(c: Condition): string {
  const parts = [
    c.dataset,
    `lr ${c.lr}`,
    `batch ${c.batch_size}`,
    `momentum ${c.momentum}`,
    `${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`,
    c.train_subset === null
      ? 'full training set'
      : `${c.train_subset.toLocaleString('en-US')} training images`,
  ];
  if (c.val_subset !== null) parts.push(`${c.val_subset.toLocaleString('en-US')} validation images`);
  parts.push(...describeRecipe(c));
  return parts.join(' · ');
}

/** "2.7 ± 0.6 (3/3)", "3.0 (1/2)" (mean over the runs that got there), "not reached (0/2)". */
export function formatReach(r: ReachSummary): string {
  if (r.of === 0) return MISSING;
  if (r.reached === 0) return `not reached (0/${r.of})`;
  return `${formatStat(r.epochs, (x) => x.toFixed(1), false)} (${r.reached}/${r.of})`;
}

export function formatParameters(n: number | null): string {
  return n === null ? 'unknown' : n.toLocaleString('en-US');
}
