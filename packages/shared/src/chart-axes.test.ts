import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  axisDataAttributes,
  axisFraction,
  drawable,
  epochAxis,
  linearTicks,
  logTicks,
  niceStep,
  valueAxis,
} from './chart-axes.js';

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

test('the epoch axis spans 1 to the planned epochs, widened to recorded ones, with integer ticks', () => {
  assert.deepEqual(epochAxis([1, 2, 3], 15), { lo: 1, hi: 15, scale: 'linear', ticks: [5, 10, 15] });
  assert.deepEqual(epochAxis([], 3), { lo: 1, hi: 3, scale: 'linear', ticks: [1, 2, 3] });
  assert.deepEqual(epochAxis([1, 2, 3, 4], 2).hi, 4);
  // One epoch: centred, with its own tick.
  assert.deepEqual(epochAxis([1], 1), { lo: 0.5, hi: 1.5, scale: 'linear', ticks: [1] });
});

test('a linear value axis is padded 8% and widened to whole steps, never below 0, clamped to max', () => {
  // pad 0.0048, step niceStep(0.0696, 5) = 0.02: floor(0.9052 / 0.02) = 45, ceil(0.9748 / 0.02) = 49.
  assert.deepEqual(valueAxis([0.91, 0.97], 'linear', 1), {
    lo: 0.9,
    hi: 0.98,
    scale: 'linear',
    ticks: [0.9, 0.92, 0.94, 0.96, 0.98],
  });
  // 1.00292 rounds up to 1.02, clamped to 1.
  assert.deepEqual(valueAxis([0.95, 0.999], 'linear', 1).hi, 1);
  assert.deepEqual(valueAxis([0.95, 0.999], 'linear', 1).ticks, [0.94, 0.96, 0.98, 1]);
  // 0.001 − pad is below 0; accuracy never is, so the axis starts at 0.
  assert.deepEqual(valueAxis([0.001, 0.05], 'linear'), {
    lo: 0,
    hi: 0.06,
    scale: 'linear',
    ticks: [0, 0.02, 0.04, 0.06],
  });
  assert.equal(valueAxis([-0.05, 0.05], 'linear').lo, -0.1);
  const flat = valueAxis([0.5, 0.5], 'linear');
  assert.ok(flat.lo < 0.5 && flat.hi > 0.5, 'a constant series still gets a range');
});

test('a log value axis is widened to half decades and spans at least one', () => {
  // log10 0.05 = −1.30 → −1.5 (0.0316); log10 0.8 = −0.097 → 0 (1).
  const wide = valueAxis([0.05, 0.8], 'log');
  assert.ok(Math.abs(wide.lo - 10 ** -1.5) < 1e-12 && wide.hi === 1);
  assert.deepEqual(wide.ticks, [0.05, 0.1, 0.2, 0.5, 1]);
  assert.deepEqual(valueAxis([0.3, 0.5], 'log'), { lo: 0.1, hi: 1, scale: 'log', ticks: [0.1, 0.2, 0.5, 1] });
  // Inside one half decade: stretched down to a whole decade.
  assert.deepEqual(valueAxis([0.4, 0.45], 'log').lo, 0.1);
});

test('positions along an axis: linear by value, log by logarithm; what a log axis cannot draw', () => {
  assert.equal(axisFraction({ lo: 0, hi: 2, scale: 'linear', ticks: [] }, 0.5), 0.25);
  assert.ok(Math.abs(axisFraction({ lo: 0.1, hi: 10, scale: 'log', ticks: [] }, 1) - 0.5) < 1e-12);
  assert.equal(drawable(0, 'linear'), true);
  assert.equal(drawable(0, 'log'), false);
  assert.equal(drawable(Number.NaN, 'linear'), false);
  assert.deepEqual(axisDataAttributes(epochAxis([1], 3), valueAxis([0.3, 0.5], 'log')), {
    'data-x-domain': '1 3',
    'data-y-domain': '0.1 1',
  });
});
