import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logGamma, regularizedIncompleteBeta } from './incomplete-beta.ts';

const close = (actual: number, expected: number, relTol: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= relTol * Math.abs(expected),
    `${what}: got ${actual}, expected ${expected}`,
  );

test('logGamma matches factorials and Γ(1/2) = √π', () => {
  assert.ok(Math.abs(logGamma(1)) < 1e-15, 'lnΓ(1) = 0');
  close(logGamma(5), Math.log(24), 1e-14, 'lnΓ(5)');
  close(logGamma(11), Math.log(3628800), 1e-14, 'lnΓ(11)');
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14, 'lnΓ(1/2)');
  close(logGamma(0.1), Math.log(9.513507698668732), 1e-13, 'lnΓ(0.1)');
  assert.throws(() => logGamma(0), /x > 0, got 0/);
});

test('I_x(a, b) against closed forms and mpmath.betainc (40 digits)', () => {
  // For integer a, b: I_x(a, b) = P(Binomial(a + b − 1, x) ≥ a) = 1 − 0.6⁴ − 4·0.4·0.6³ = 0.5248.
  close(regularizedIncompleteBeta(0.4, 2, 3), 1 - 0.6 ** 4 - 4 * 0.4 * 0.6 ** 3, 1e-14, 'I_0.4(2,3)');
  // I_x(1/2, 1/2) = (2/π)·asin(√x).
  close(
    regularizedIncompleteBeta(0.1, 0.5, 0.5),
    (2 / Math.PI) * Math.asin(Math.sqrt(0.1)),
    1e-14,
    'arcsine',
  );
  // mpmath.betainc(15, 0.5, 0, 0.99, regularized=True) = 0.5860649647763354
  close(regularizedIncompleteBeta(0.99, 15, 0.5), 0.5860649647763354, 1e-13, 'I_0.99(15,1/2)');
  assert.equal(regularizedIncompleteBeta(0, 2, 3), 0);
  assert.equal(regularizedIncompleteBeta(1, 2, 3), 1);
  assert.throws(() => regularizedIncompleteBeta(1.5, 2, 3), /0 ≤ x ≤ 1, got x=1.5/);
  assert.throws(() => regularizedIncompleteBeta(0.5, -1, 3), /a=-1/);
});
