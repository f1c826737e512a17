import { mean, sampleVariance } from './descriptive-stats.ts';
import { studentTQuantile, studentTTwoSidedP } from './student-t.ts';

interface WelchBase {
  n1: number;
  n2: number;
  mean1: number;
  mean2: number;
  /** mean1 − mean2 */
  difference: number;
}

/**
 * Welch's unequal-variance t-test of mean1 = mean2, two-sided, with the confidence interval for
 * mean1 − mean2. The outcome is a tagged union because the cases where no test exists (one seed,
 * or no spread at all) must be said out loud rather than printed as p = NaN.
 */
export type WelchResult =
  | (WelchBase & {
      kind: 'tested';
      var1: number;
      var2: number;
      standardError: number;
      /** Welch–Satterthwaite degrees of freedom (fractional). */
      df: number;
      t: number;
      p: number;
      confidenceLevel: number;
      ci: { low: number; high: number };
    })
  | (WelchBase & { kind: 'too-few-samples' })
  | (WelchBase & { kind: 'zero-variance' });

export function welchTTest(a: readonly number[], b: readonly number[], confidenceLevel = 0.95): WelchResult {
  if (a.length === 0 || b.length === 0) {
    throw new RangeError(
      `Welch t-test needs at least one value per group, got n = ${a.length} vs ${b.length}`,
    );
  }
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new RangeError(`confidence level must be in (0, 1), got ${confidenceLevel}`);
  }
  const mean1 = mean(a);
  const mean2 = mean(b);
  const base: WelchBase = { n1: a.length, n2: b.length, mean1, mean2, difference: mean1 - mean2 };
  if (a.length < 2 || b.length < 2) return { ...base, kind: 'too-few-samples' };

  const var1 = sampleVariance(a);
  const var2 = sampleVariance(b);
  const se1 = var1 / a.length;
  const se2 = var2 / b.length;
  const se2Sum = se1 + se2;
  // Both groups constant: the t statistic is ±∞ or 0/0 and the Satterthwaite df is 0/0.
  if (se2Sum === 0) return { ...base, kind: 'zero-variance' };

  const standardError = Math.sqrt(se2Sum);
  const df = (se2Sum * se2Sum) / ((se1 * se1) / (a.length - 1) + (se2 * se2) / (b.length - 1));
  const t = base.difference / standardError;
  const p = studentTTwoSidedP(t, df);
  const halfWidth = studentTQuantile(1 - (1 - confidenceLevel) / 2, df) * standardError;
  return {
    ...base,
    kind: 'tested',
    var1,
    var2,
    standardError,
    df,
    t,
    p,
    confidenceLevel,
    ci: { low: base.difference - halfWidth, high: base.difference + halfWidth },
  };
}
