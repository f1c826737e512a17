import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linearTicks, logTicks, niceStep } from './chart-axes.js';

test('nice steps never give more intervals than asked for', () => {
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(0.07, 5), 0.02);
  assert.equal(niceStep(29, 6), 5);
  assert.equal(niceStep(10, 0), 10);
  for (const span of [0.013, 0.7, 3, 29, 450]) {
    for (const target of [3, 5, 8]) assert.ok(span / niceStep(span, target) <= target, `${span}/${target}`);
  }
});

test('linear ticks are rounded multiples of the step inside the range, ends included', () => {
  assert.deepEqual(linearTicks(0.9, 1, 5), [0.9, 0.92, 0.94, 0.96, 0.98, 1]);
  assert.deepEqual(linearTicks(1, 30, 6), [5, 10, 15, 20, 25, 30]);
  assert.deepEqual(linearTicks(0.1, 0.4, 3), [0.1, 0.2, 0.3, 0.4]);
});

test('log ticks: 1-2-5 within two decades, decades only beyond', () => {
  assert.deepEqual(logTicks(0.01, 1), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
  assert.deepEqual(logTicks(0.001, 10), [0.001, 0.01, 0.1, 1, 10]);
  assert.deepEqual(logTicks(0.03, 0.3), [0.05, 0.1, 0.2]);
});
