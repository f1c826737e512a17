/** Mean and sample standard deviation (n − 1); std is null below two values. */
export interface Stat {
  n: number;
  mean: number | null;
  std: number | null;
}

/**
 * Two-pass computation: the mean first, then squared deviations from it. The one-pass sum-of-squares
 * formula loses most significant digits when the spread is tiny next to the mean (accuracies of
 * 0.9912 vs 0.9915), which is exactly the case when comparing seeds.
 */
export function describe(values: readonly number[]): Stat {
  const n = values.length;
  if (n === 0) return { n, mean: null, std: null };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { n, mean, std: null };
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { n, mean, std: Math.sqrt(squares / (n - 1)) };
}
