import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedSubset } from './stratified-subset.ts';

test('keeps class proportions, is sorted, unique and deterministic', () => {
  // 60 % class 0, 30 % class 1, 10 % class 2, interleaved.
  const labels = Uint8Array.from({ length: 1000 }, (_, i) => (i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2));
  const subset = stratifiedSubset(labels, 100, 3);
  assert.equal(subset.length, 100);
  const counts = [0, 0, 0];
  for (const i of subset) counts[labels[i]!]!++;
  assert.deepEqual(counts, [60, 30, 10]);
  assert.deepEqual(subset, stratifiedSubset(labels, 100, 3));
  for (let i = 1; i < subset.length; i++) assert.ok(subset[i]! > subset[i - 1]!);
});

test('rounding remainders go to the largest fractions so the size is exact', () => {
  const labels = Uint8Array.from([0, 0, 1, 1, 2, 2, 2]);
  assert.equal(stratifiedSubset(labels, 4, 3).length, 4);
  assert.throws(() => stratifiedSubset(labels, 8, 3), /subset size 8 must be an integer in 1..7/);
});
