import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng } from './seeded-random.ts';
import { gridValues, ParameterSpec, sampleParameter } from './sweep-distributions.ts';

const spec = (input: object) => ParameterSpec.parse(input);
/** A "random" source that returns the given uniforms in turn, to pin each formula. */
const fixed = (...u: number[]) => {
  let i = 0;
  return () => u[i++ % u.length]!;
};

test('W&B semantics: log_uniform takes exponents, the _values variants take values, inv_ inverts', () => {
  assert.equal(sampleParameter(spec({ distribution: 'log_uniform', min: 0, max: 2 }), fixed(0.5)), Math.E);
  const values = sampleParameter(spec({ distribution: 'log_uniform_values', min: 0.01, max: 1 }), fixed(0.5));
  assert.ok(Math.abs((values as number) - 0.1) < 1e-15);
  // inv_log_uniform: log(1/X) ~ U(min, max); u = 0.25 gives 1/X = e^(0 + 0.25·4).
  assert.equal(
    sampleParameter(spec({ distribution: 'inv_log_uniform', min: 0, max: 4 }), fixed(0.25)),
    Math.exp(-1),
  );
  // inv_log_uniform_values lies in [min, max]: u = 0 gives max, u → 1 gives min.
  const inv = spec({ distribution: 'inv_log_uniform_values', min: 0.001, max: 0.1 });
  assert.ok(Math.abs((sampleParameter(inv, fixed(0)) as number) - 0.1) < 1e-15);
  assert.ok(Math.abs((sampleParameter(inv, fixed(1 - 1e-12)) as number) - 0.001) < 1e-12);
});

test('q rounds to a multiple of q, half to even as numpy; defaults fill mu, sigma, a, b and q', () => {
  const q = (x: number, step: number) =>
    sampleParameter(spec({ distribution: 'q_uniform', min: 0, max: 100, q: step }), fixed(x / 100));
  assert.equal(q(2.5, 1), 2);
  assert.equal(q(3.5, 1), 4);
  assert.equal(q(0.3, 0.1), 0.3, 'no 0.30000000000000004');
  assert.deepEqual(spec({ distribution: 'normal' }), { distribution: 'normal', mu: 0, sigma: 1 });
  assert.deepEqual(spec({ distribution: 'q_beta' }), { distribution: 'q_beta', a: 1, b: 1, q: 1 });
  assert.deepEqual(spec({ min: 1, max: 3 }), { distribution: 'int_uniform', min: 1, max: 3 });
  assert.deepEqual(spec({ min: 1, max: 3.5 }), { distribution: 'uniform', min: 1, max: 3.5 });
});

test('samples stay in their support and match their moments', () => {
  const prng = createPrng(11, 'distribution-test');
  const rand = () => prng.next();
  const draw = (input: object, n = 4000) =>
    Array.from({ length: n }, () => sampleParameter(spec(input), rand) as number);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const normal = draw({ distribution: 'normal', mu: 3, sigma: 2 });
  assert.ok(Math.abs(mean(normal) - 3) < 0.15, `normal mean ${mean(normal)}`);
  const beta = draw({ distribution: 'beta', a: 2, b: 6 });
  assert.ok(beta.every((x) => x > 0 && x < 1));
  assert.ok(Math.abs(mean(beta) - 0.25) < 0.01, `beta(2, 6) mean ${mean(beta)}`);
  const small = draw({ distribution: 'beta', a: 0.5, b: 0.5 });
  assert.ok(small.every((x) => x >= 0 && x <= 1) && Math.abs(mean(small) - 0.5) < 0.03);
  const ints = draw({ distribution: 'int_uniform', min: -2, max: 2 });
  assert.deepEqual([...new Set(ints)].sort(), [-1, -2, 0, 1, 2]);
  const logNormal = draw({ distribution: 'log_normal', mu: 0, sigma: 0.5 });
  assert.ok(logNormal.every((x) => x > 0));
});

test('grids enumerate int_uniform inclusively and q_uniform as numpy.arange (max excluded)', () => {
  assert.deepEqual(gridValues(spec({ min: 2, max: 5 })), [2, 3, 4, 5]);
  assert.deepEqual(
    gridValues(spec({ distribution: 'q_uniform', min: 0.1, max: 0.5, q: 0.1 })),
    [0.1, 0.2, 0.3, 0.4],
  );
  assert.deepEqual(gridValues(spec({ value: 'resnet' })), ['resnet']);
});
