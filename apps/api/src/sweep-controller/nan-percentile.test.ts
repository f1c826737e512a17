import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nanPercentile } from './nan-percentile.ts';

test("nanPercentile matches numpy.nanpercentile (method='linear') bit for bit", () => {
  // Reference values printed by numpy 2.4 (np.nanpercentile(values, q)).
  const cases: [number[], number, number][] = [
    [[2, 4], 50, 3],
    [[0.91, 0.87, 0.95], (1 - 1 / 3) * 100, 0.9233333333333333],
    [[0.91, 0.87, 0.95, 0.5], (1 - 1 / 3) * 100, 0.91],
    [[0.1, 0.2, 0.3, 0.4, 0.5], 75, 0.4],
    [[0.1, 0.2, 0.3, 0.4], 75, 0.325],
    [[0.97, 0.93], (1 - 1 / 3) * 100, 0.9566666666666667],
    [[0.1, 0.7, 0.2], (1 - 1 / 3) * 100, 0.3666666666666667],
    [Array.from({ length: 20 }, (_, i) => i), 50, 9.5],
    [[Number.NaN, 1, 3], 50, 2],
    [[-0.3, -0.5], 50, -0.4],
  ];
  for (const [values, q, expected] of cases) {
    assert.equal(nanPercentile(values, q), expected, `${JSON.stringify(values)} at ${q}`);
  }
  assert.ok(Number.isNaN(nanPercentile([Number.NaN], 50)), 'all NaN → NaN');
  assert.ok(Number.isNaN(nanPercentile([], 50)));
});
