import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, sampleStd, sampleVariance, summarize } from './descriptive-stats.ts';

test('mean and sample std (n − 1) of a hand-computed sample', () => {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sample variance 32/7.
  const xs = [2, 4, 4, 4, 5, 5, 7, 9];
  assert.equal(mean(xs), 5);
  assert.equal(sampleVariance(xs), 32 / 7);
  assert.equal(sampleStd(xs), Math.sqrt(32 / 7));
  assert.deepEqual(summarize(xs), { n: 8, mean: 5, std: Math.sqrt(32 / 7), min: 2, max: 9 });
});

test('n = 1 has no std, n = 0 has no summary, constant samples have std 0', () => {
  assert.deepEqual(summarize([0.99]), { n: 1, mean: 0.99, std: null, min: 0.99, max: 0.99 });
  assert.equal(summarize([]), null);
  assert.equal(summarize([0.98, 0.98, 0.98])?.std, 0);
  assert.throws(() => sampleVariance([1]), /n ≥ 2, got n = 1/);
  assert.throws(() => mean([]), /empty/);
});
