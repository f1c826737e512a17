import assert from 'node:assert/strict';
import { test } from 'node:test';
import { welchTTest } from './welch-t-test.ts';

const close = (actual: number, expected: number, relTol: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= relTol * Math.abs(expected),
    `${what}: got ${actual}, expected ${expected}`,
  );

function tested(a: number[], b: number[]) {
  const r = welchTTest(a, b);
  assert.equal(r.kind, 'tested');
  if (r.kind !== 'tested') throw new Error('unreachable');
  return r;
}

test("Wikipedia 'Welch's t-test' example 1: t = −2.46, df = 24.99, p = 0.021", () => {
  // Source: en.wikipedia.org/wiki/Welch%27s_t-test, Examples, first pair of samples (equal n = 15).
  // Exact values below recomputed with mpmath at 40 digits from the same formulas (Welch–Satterthwaite).
  const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
  const r = tested(a1, a2);
  close(r.mean1, 20.82, 1e-14, 'mean1');
  close(r.mean2, 22.986666666666668, 1e-14, 'mean2');
  close(r.var1, 7.867428571428571, 1e-12, 'var1');
  close(r.var2, 3.812666666666667, 1e-12, 'var2');
  close(r.t, -2.455356398286005, 1e-12, 't');
  close(r.df, 24.988529290231416, 1e-12, 'df');
  close(r.p, 0.021378001462867034, 1e-10, 'p');
  close(r.ci.low, -3.984096267140928, 1e-10, 'CI low');
  close(r.ci.high, -0.34923706619240524, 1e-9, 'CI high');
  assert.equal(r.confidenceLevel, 0.95);
});

test('Wikipedia example 2 (unequal n and variances): t = −1.57, df = 9.90, p = 0.149', () => {
  const a1 = [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8];
  const a2 = [
    21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5,
    23.5, 21.5, 21.8,
  ];
  const r = tested(a1, a2);
  close(r.t, -1.5654335235985053, 1e-12, 't');
  close(r.df, 9.90474124865083, 1e-12, 'df');
  close(r.p, 0.14884169660532798, 1e-10, 'p');
  close(r.ci.low, -3.698421325375165, 1e-10, 'CI low');
  close(r.ci.high, 0.6484213253751654, 1e-9, 'CI high');
});

test('three seeds of validation accuracy (mpmath): p = 0.00618, CI [0.208, 0.645] points', () => {
  const r = tested([0.9912, 0.9905, 0.9921], [0.9871, 0.988, 0.9859]);
  close(r.difference, 0.004266666666666667, 1e-11, 'difference');
  close(r.df, 3.7353818736583455, 1e-10, 'df');
  close(r.p, 0.006175258868975379, 1e-9, 'p');
  close(r.ci.low, 0.00208346666993738, 1e-9, 'CI low');
  close(r.ci.high, 0.006449866663395953, 1e-9, 'CI high');
});

test('one seed on either side: no test, but the means are still reported', () => {
  const r = welchTTest([0.99], [0.98, 0.985]);
  assert.equal(r.kind, 'too-few-samples');
  assert.equal(r.n1, 1);
  assert.equal(r.n2, 2);
  close(r.difference, 0.99 - 0.9825, 1e-12, 'difference');
});

test('zero variance in both groups is flagged; in one group the test still works', () => {
  assert.equal(welchTTest([0.98, 0.98], [0.97, 0.97]).kind, 'zero-variance');
  // With var2 = 0, df = n1 − 1 and se = s1/√n1: a = [1, 2, 3] vs b = [0, 0]: t = 2/(1/√3) = 2√3, df = 2.
  const r = tested([1, 2, 3], [0, 0]);
  close(r.t, 2 * Math.sqrt(3), 1e-14, 't');
  close(r.df, 2, 1e-14, 'df');
  // Two-sided p for t(2): 1 − |t|/√(t² + 2) = 1 − 2√3/√14.
  close(r.p, 1 - (2 * Math.sqrt(3)) / Math.sqrt(14), 1e-12, 'p');
});

test('refuses empty groups with the sizes in the message', () => {
  assert.throws(() => welchTTest([], [1, 2]), /n = 0 vs 2/);
});
