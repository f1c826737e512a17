/**
 * numpy's `nanpercentile(values, q)` with its default `method="linear"`, as Ray Tune's ASHA cutoff and
 * Optuna's percentile pruner call it (numpy/lib/_function_base_impl.py: `_quantile` with the virtual
 * index (n − 1)·q/100 and `_lerp`, which interpolates from the upper neighbour when the weight is
 * ≥ 0.5, so results match numpy to the last bit). NaN values are ignored; NaN when none is left.
 */
export function nanPercentile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = (sorted.length - 1) * (q / 100);
  const below = Math.floor(index);
  const above = Math.min(below + 1, sorted.length - 1);
  const a = sorted[below] as number;
  const b = sorted[above] as number;
  const t = index - below;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
