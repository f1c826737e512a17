/**
 * Epochs at which the summary table samples the curves: the reference paper's 10, 20, 30 for a
 * 30-epoch run, and otherwise `count` evenly spaced epochs ending at the last one (deduplicated, so
 * a 2-epoch sweep gets epochs 1 and 2).
 */
export function checkpointEpochs(totalEpochs: number, count = 3): number[] {
  if (!Number.isInteger(totalEpochs) || totalEpochs < 1) {
    throw new RangeError(`checkpoint epochs need an integer epoch count ≥ 1, got ${totalEpochs}`);
  }
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`checkpoint count must be ≥ 1, got ${count}`);
  const epochs = new Set<number>();
  for (let k = 1; k <= count; k++) epochs.add(Math.max(1, Math.round((k * totalEpochs) / count)));
  return [...epochs].sort((a, b) => a - b);
}
