/**
 * A deterministic, class-stratified slice: each class keeps its share of `size` (largest remainders
 * break rounding), taking that class's first images in file order. The slice depends only on the
 * labels and the size, never on the seed, so runs with different seeds see the same images.
 */
export function stratifiedSubset(labels: Uint8Array, size: number, classCount: number): Uint32Array {
  if (!Number.isInteger(size) || size <= 0 || size > labels.length) {
    throw new RangeError(`subset size ${size} must be an integer in 1..${labels.length}`);
  }
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  labels.forEach((label, index) => {
    byClass[label]?.push(index);
  });
  const exact = byClass.map((indices) => (indices.length * size) / labels.length);
  const quota = exact.map(Math.floor);
  let missing = size - quota.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((value, label) => ({ label, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.label - b.label);
  for (const { label } of byRemainder) {
    if (missing === 0) break;
    quota[label]!++;
    missing--;
  }
  const chosen: number[] = [];
  byClass.forEach((indices, label) => {
    chosen.push(...indices.slice(0, quota[label]));
  });
  return Uint32Array.from(chosen.sort((a, b) => a - b));
}
