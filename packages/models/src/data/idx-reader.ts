import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PermanentError } from '@sweeplab/shared';

/**
 * What a file must contain. IDX magic numbers are 0x00000801 (unsigned bytes, 1 dimension: labels)
 * and 0x00000803 (unsigned bytes, 3 dimensions: images).
 */
export interface IdxExpectation {
  kind: 'labels' | 'images';
  count: number;
  /** Images only: rows and columns of each image. */
  rows?: number;
  cols?: number;
  /** SHA-256 (hex) of the uncompressed IDX bytes, so raw and gzip copies of one file verify alike. */
  sha256?: string;
  /** Labels only: every label must be below this. */
  classCount?: number;
}

export interface IdxData {
  /** Row-major uint8 payload: count labels, or count·rows·cols pixels. */
  data: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** A dataset file is missing or does not hold what it should; the message names the file and the expectation. */
export class DatasetFileError extends PermanentError {
  override name = 'DatasetFileError';
  readonly code = 'dataset-file';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

const MAGIC = { labels: 0x00000801, images: 0x00000803 } as const;
const GZIP_MAGIC = [0x1f, 0x8b] as const;

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Reads an IDX file (raw or gzip, told apart by content) and checks it against `expected`. */
export function readIdxFile(file: string, expected: IdxExpectation): IdxData {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetFileError(
      file,
      code === 'ENOENT'
        ? `file not found (expected the ${expected.kind} IDX file)`
        : `cannot read: ${String(err)}`,
    );
  }
  return parseIdx(bytes, file, expected);
}

export function parseIdx(raw: Uint8Array, file: string, expected: IdxExpectation): IdxData {
  const bytes = isGzip(raw) ? gunzip(raw, file) : raw;
  const headerLength = expected.kind === 'labels' ? 8 : 16;
  if (bytes.length < headerLength) {
    throw new DatasetFileError(
      file,
      `truncated: ${bytes.length} bytes, shorter than the ${headerLength}-byte IDX ${expected.kind} header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== MAGIC[expected.kind]) {
    throw new DatasetFileError(
      file,
      `bad magic number ${hex(magic)}, expected ${hex(MAGIC[expected.kind])} (IDX ${expected.kind})`,
    );
  }
  const count = view.getUint32(4);
  if (count !== expected.count) {
    throw new DatasetFileError(file, `header says ${count} items, expected ${expected.count}`);
  }
  const rows = expected.kind === 'images' ? view.getUint32(8) : 1;
  const cols = expected.kind === 'images' ? view.getUint32(12) : 1;
  if (expected.kind === 'images' && (rows !== expected.rows || cols !== expected.cols)) {
    throw new DatasetFileError(
      file,
      `images are ${rows}×${cols}, expected ${expected.rows}×${expected.cols}`,
    );
  }
  const expectedLength = headerLength + count * rows * cols;
  if (bytes.length !== expectedLength) {
    throw new DatasetFileError(
      file,
      `${bytes.length < expectedLength ? 'truncated' : 'trailing data'}: ${bytes.length} bytes, expected ${expectedLength} (${count} ${expected.kind})`,
    );
  }
  if (expected.sha256 !== undefined) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== expected.sha256) {
      throw new DatasetFileError(
        file,
        `corrupt or unexpected content: SHA-256 of the IDX bytes is ${actual}, expected ${expected.sha256}`,
      );
    }
  }
  const data = bytes.subarray(headerLength);
  if (expected.kind === 'labels' && expected.classCount !== undefined) {
    const bad = data.findIndex((label) => label >= expected.classCount!);
    if (bad >= 0) {
      throw new DatasetFileError(
        file,
        `label ${data[bad]} at index ${bad} is not below ${expected.classCount}`,
      );
    }
  }
  return { data, count, rows, cols };
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new DatasetFileError(file, `gzip stream is corrupt or truncated (${(err as Error).message})`);
  }
}
