import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng } from '@sweeplab/shared';
import { proposeBayes } from './bayes-search.ts';
import {
  cholesky,
  conditionGp,
  expectedImprovement,
  fitGpHyper,
  kernel,
  matern52,
  normalCdf,
  predict,
} from './gaussian-process.ts';
import { buildSearchSpace, decodePoint } from './search-space.ts';

const seeded = (seed: number) => {
  const prng = createPrng(seed);
  return () => prng.next();
};
const close = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} ≠ ${expected} (±${tol})`);

test('Matérn 5/2 at known distances: (1 + √5 r + 5r²/3) e^(−√5 r)', () => {
  close(matern52(0), 1);
  close(matern52(1), 0.5239941088318203, 1e-15);
  close(matern52(0.5), 0.8286491424181253, 1e-15);
});

test('Cholesky of a known matrix; normal CDF at known points', () => {
  const L = cholesky([
    [4, 12, -16],
    [12, 37, -43],
    [-16, -43, 98],
  ]);
  assert.deepEqual(L, [
    [2, 0, 0],
    [6, 1, 0],
    [-8, 5, 3],
  ]);
  assert.equal(
    cholesky([
      [1, 2],
      [2, 1],
    ]),
    null,
    'not positive definite',
  );
  close(normalCdf(0), 0.5, 1e-7);
  close(normalCdf(1.959963984540054), 0.975, 1e-7);
  close(normalCdf(-1), 0.15865525393145707, 1e-7);
});

test('posterior mean and variance equal the closed form for two observations', () => {
  // k(0,1) = m(1) = a, k(0,.5) = k(1,.5) = m(.5) = b; y = [1, 0]; no noise.
  // mean(.5) = [b b] K⁻¹ [1 0]ᵀ = b(1 − a)/(1 − a²); var(.5) = 1 − 2b²(1 − a)/(1 − a²).
  const hyper = { lengthScales: [1], signalVariance: 1, noiseVariance: 0 };
  const gp = conditionGp([[0], [1]], [1, 0], hyper, [false]);
  assert.ok(gp);
  const a = 0.5239941088318203;
  const b = 0.8286491424181253;
  const { mean, variance } = predict(gp, [0.5]);
  close(mean, (b * (1 - a)) / (1 - a * a), 1e-12);
  close(variance, 1 - (2 * b * b * (1 - a)) / (1 - a * a), 1e-12);
  // At an observation (no noise) the GP interpolates it exactly.
  close(predict(gp, [0]).mean, 1, 1e-12);
  close(predict(gp, [1]).mean, 0, 1e-12);
});

test('expected improvement: closed form, zero far above the best with no uncertainty', () => {
  // best − μ = 1, σ = 1: EI = Φ(1) + φ(1) = 0.8413447 + 0.2419707.
  close(expectedImprovement(0, 1, 1), 0.8413447460685429 + 0.24197072451914337, 1e-6);
  assert.equal(expectedImprovement(5, 0, 1), 0);
});

test('categories are unordered: every pair of distinct categories is equally far apart', () => {
  const hyper = { lengthScales: [0.5], signalVariance: 1, noiseVariance: 0 };
  close(kernel([0], [1], hyper, [true]), kernel([0], [2], hyper, [true]));
  assert.ok(kernel([0], [2], hyper, [false]) < kernel([0], [1], hyper, [false]), 'ordered for contrast');
});

test('maximum likelihood gives a short length scale to the dimension that matters', () => {
  const rand = seeded(3);
  const X = Array.from({ length: 30 }, () => [rand(), rand()]);
  const y = X.map(([x0]) => Math.sin(6 * (x0 as number)));
  const hyper = fitGpHyper(X, y, [false, false], seeded(4));
  const [l0, l1] = hyper.lengthScales as [number, number];
  assert.ok(
    l0 < 1 && l1 > 3 * l0,
    `length scales ${l0.toFixed(3)} (relevant) and ${l1.toFixed(3)} (irrelevant)`,
  );
});

test('bayes proposals: a run in flight is not proposed again, and the optimum is approached', () => {
  const space = buildSearchSpace({
    lr: { distribution: 'log_uniform_values', min: 1e-4, max: 1 },
    momentum: { distribution: 'uniform', min: 0, max: 0.9 },
  });
  // Lower is better; best at u = (0.6, 0.3).
  const f = (p: number[]) => ((p[0] as number) - 0.6) ** 2 + ((p[1] as number) - 0.3) ** 2;
  const rand = seeded(11);
  const observations = [
    [0.1, 0.9],
    [0.9, 0.1],
    [0.5, 0.5],
    [0.2, 0.2],
  ].map((point) => ({ point, value: f(point) }));
  for (let i = 0; i < 10; i++) {
    const point = proposeBayes(space, observations, [], rand);
    observations.push({ point, value: f(point) });
  }
  const best = Math.min(...observations.map((o) => o.value));
  assert.ok(best < 0.005, `best after 10 proposals ${best}`);
  const first = proposeBayes(space, observations, [], seeded(5));
  const second = proposeBayes(space, observations, [first], seeded(5));
  const distance = Math.hypot(
    (first[0] as number) - (second[0] as number),
    (first[1] as number) - (second[1] as number),
  );
  assert.ok(distance > 0.01, `the second proposal moved away from the one in flight (${distance})`);
  assert.equal(typeof decodePoint(space, first).lr, 'number');
});
