import assert from 'node:assert/strict';
import { test } from 'node:test';
import { studentTCdf, studentTPdf, studentTQuantile, studentTTwoSidedP } from './student-t.ts';

const close = (actual: number, expected: number, relTol: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= relTol * Math.abs(expected),
    `${what}: got ${actual}, expected ${expected}`,
  );

// Reference values: mpmath 1.3 at 40 digits, t quantile by findroot on 1 − ½·betainc(df/2, ½, 0, df/(df+t²)).
// The integer-df ones agree with printed t tables (e.g. t_{0.975,10} = 2.228, t_{0.975,1} = 12.706).
const QUANTILES: Array<[p: number, df: number, t: number]> = [
  [0.975, 10, 2.2281388519862744],
  [0.975, 1, 12.706204736174694],
  [0.975, 2, 4.302652729749462],
  [0.95, 5, 2.0150483733330233],
  [0.995, 3, 5.840909309733355],
  [0.975, 4.5, 2.658912347204403],
  [0.975, 2.7, 3.3921483831737507],
  [0.975, 1000, 1.962339080826408],
  [0.9995, 1, 636.6192487687897],
];

test('t quantiles match mpmath to 1e-10 relative, including fractional df', () => {
  for (const [p, df, t] of QUANTILES) {
    close(studentTQuantile(p, df), t, 1e-10, `t_{${p}, ${df}}`);
    close(studentTQuantile(1 - p, df), -t, 1e-9, `t_{${1 - p}, ${df}}`);
  }
  assert.equal(studentTQuantile(0.5, 7), 0);
  assert.equal(studentTQuantile(1, 7), Number.POSITIVE_INFINITY);
});

test('t CDF and two-sided p match mpmath', () => {
  const cases: Array<[t: number, df: number, cdf: number, twoSided: number]> = [
    [2.0, 5, 0.9490302605850708, 0.10193947882985836],
    [-1.5, 3.3, 0.11125159835964593, 0.22250319671929186],
    [0.5, 1, 0.6475836176504333, 0.7048327646991335],
    [10, 2, 0.9950737714883372, 0.00985245702332569],
    [3, 30, 0.9973050179671741, 0.005389964065651946],
  ];
  for (const [t, df, cdf, p] of cases) {
    close(studentTCdf(t, df), cdf, 1e-12, `CDF(${t}; ${df})`);
    close(studentTTwoSidedP(t, df), p, 1e-11, `p(${t}; ${df})`);
  }
  // Small p-values keep relative precision because the tail is computed directly.
  close(studentTTwoSidedP(50, 4), 9.5744536569697e-7, 1e-10, 'p(50; 4)');
  // t(1) is Cauchy: CDF = 1/2 + atan(t)/π, density = 1/(π(1+t²)).
  close(studentTCdf(3, 1), 0.5 + Math.atan(3) / Math.PI, 1e-13, 'Cauchy CDF');
  close(studentTPdf(3, 1), 1 / (Math.PI * 10), 1e-13, 'Cauchy density');
  assert.equal(studentTTwoSidedP(0, 3), 1);
  assert.equal(studentTTwoSidedP(Number.POSITIVE_INFINITY, 3), 0);
});

test('rejects meaningless degrees of freedom with the value in the message', () => {
  assert.throws(() => studentTQuantile(0.975, 0), /got 0/);
  assert.throws(() => studentTCdf(1, Number.NaN), /got NaN/);
  assert.throws(() => studentTQuantile(1.2, 3), /got 1.2/);
});
