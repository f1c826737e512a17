/**
 * Summary of a sample as the report prints it: mean ± sample standard deviation (n − 1), with n and
 * the range. `std` is null for n = 1 because one seed says nothing about spread.
 */
export interface Stat {
  n: number;
  mean: number;
  std: number | null;
  min: number;
  max: number;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of an empty sample');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample variance with Bessel's correction; two-pass so that near-identical accuracies stay exact. */
export function sampleVariance(values: readonly number[]): number {
  if (values.length < 2) throw new RangeError(`sample variance needs n ≥ 2, got n = ${values.length}`);
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return ss / (values.length - 1);
}

export function sampleStd(values: readonly number[]): number {
  return Math.sqrt(sampleVariance(values));
}

/** null for an empty sample, so "no data yet" is visible instead of a fake 0. */
export function summarize(values: readonly number[]): Stat | null {
  if (values.length === 0) return null;
  return {
    n: values.length,
    mean: mean(values),
    std: values.length >= 2 ? sampleStd(values) : null,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}
