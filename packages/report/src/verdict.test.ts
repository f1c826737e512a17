import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparisonVerdict } from './verdict.ts';
import { welchTTest } from './welch-t-test.ts';

test('significant difference: direction, size in points, CI, p and n', () => {
  // Same samples as the mpmath-checked Welch test: difference 0.4267 points, CI [0.208, 0.645], p = 0.00618.
  const v = comparisonVerdict('resnet', 'cnn', welchTTest([0.9912, 0.9905, 0.9921], [0.9871, 0.988, 0.9859]));
  assert.equal(
    v,
    "resnet's final validation accuracy is higher than cnn's by 0.43 points (95% CI [0.21, 0.64] points, Welch p = 0.00618, n = 3 vs 3).",
  );
});

test('non-significant difference says so', () => {
  const v = comparisonVerdict('resnet', 'cnn', welchTTest([0.99, 0.98, 0.995], [0.985, 0.99, 0.975]));
  assert.match(
    v,
    /^resnet's mean final validation accuracy is 0\.50 points above cnn's, but the difference is not significant at 5% \(95% CI \[/,
  );
  assert.match(v, /n = 3 vs 3\)\.$/);
});

test('one seed: no significance can be claimed, naming the model with one seed', () => {
  const v = comparisonVerdict('resnet', 'cnn', welchTTest([0.99, 0.992], [0.985]));
  assert.equal(
    v,
    "resnet's mean final validation accuracy is higher than cnn's by 0.60 points (n = 2 vs 1), but there is only one seed of cnn: no significance can be claimed.",
  );
});

test('zero variance in both models: the test is undefined', () => {
  const v = comparisonVerdict('resnet', 'cnn', welchTTest([0.99, 0.99], [0.98, 0.98]));
  assert.match(v, /every seed of both models scored exactly the same.*no significance can be claimed\.$/);
});
