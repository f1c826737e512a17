import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng, shuffledIndices } from './seeded-random.ts';

test('the same seed parts give the same stream, different parts a different one', () => {
  const a = createPrng(7, 'shuffle', 1);
  const b = createPrng(7, 'shuffle', 1);
  const c = createPrng(7, 'shuffle', 2);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.next()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => c.next()),
  );
  for (const x of xs) assert.ok(x >= 0 && x < 1);
});

test('shuffledIndices is a permutation and is roughly uniform', () => {
  const order = shuffledIndices(1000, createPrng(1));
  assert.deepEqual(
    [...order].sort((x, y) => x - y),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  const prng = createPrng(3);
  const firstCounts = new Array(4).fill(0);
  for (let i = 0; i < 4000; i++) firstCounts[shuffledIndices(4, prng)[0]!]++;
  for (const count of firstCounts) assert.ok(count > 850 && count < 1150, `counts ${firstCounts}`);
});

test('streams are pinned: checkpoints and stored runs rely on these exact values', () => {
  const p = createPrng(7, 'shuffle', 1);
  assert.deepEqual(
    Array.from({ length: 4 }, () => p.next()),
    [0.778574344702065, 0.6135243896860629, 0.23893133434467018, 0.31332078110426664],
  );
  const q = createPrng(0, 'init', 'fc1.kernel');
  assert.deepEqual(
    Array.from({ length: 3 }, () => q.nextInt(1000)),
    [816, 222, 159],
  );
  assert.deepEqual([...shuffledIndices(10, createPrng(42))], [3, 7, 5, 6, 1, 9, 8, 2, 0, 4]);
});
