import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DatasetFileError, type IdxExpectation, readIdxFile } from './idx-reader.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'idx-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function idxImages(count: number, rows: number, cols: number, magic = 0x803): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(rows, 8);
  header.writeUInt32BE(cols, 12);
  const body = Buffer.from(Array.from({ length: count * rows * cols }, (_, i) => i % 256));
  return Buffer.concat([header, body]);
}

function idxLabels(labels: number[], magic = 0x801): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const write = (name: string, bytes: Uint8Array) => {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
};
const images = idxImages(3, 2, 2);
const imagesExpect: IdxExpectation = { kind: 'images', count: 3, rows: 2, cols: 2, sha256: sha(images) };

function assertFails(file: string, expect: IdxExpectation, pattern: RegExp) {
  assert.throws(
    () => readIdxFile(file, expect),
    (err: unknown) => {
      assert.ok(err instanceof DatasetFileError, String(err));
      assert.ok(err.message.startsWith(file), `message should name the file: ${err.message}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('reads raw and gzip IDX images identically, payload after the header', () => {
  const raw = readIdxFile(write('img', images), imagesExpect);
  const gz = readIdxFile(write('img.gz', gzipSync(images)), imagesExpect);
  assert.equal(raw.count, 3);
  assert.equal(raw.rows, 2);
  assert.deepEqual([...raw.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(gz.data, raw.data);
});

test('reads labels and checks the class range', () => {
  const labels = idxLabels([3, 1, 9]);
  const ok = readIdxFile(write('lab', labels), { kind: 'labels', count: 3, classCount: 10 });
  assert.deepEqual([...ok.data], [3, 1, 9]);
  assertFails(
    write('lab-bad', idxLabels([3, 12, 1])),
    { kind: 'labels', count: 3, classCount: 10 },
    /label 12 at index 1/,
  );
});

test('a missing file is named with what was expected', () => {
  assertFails(path.join(dir, 'nope'), imagesExpect, /file not found \(expected the images IDX file\)/);
});

test('a wrong magic number is reported with both values', () => {
  assertFails(
    write('magic', idxImages(3, 2, 2, 0x801)),
    imagesExpect,
    /bad magic number 0x00000801, expected 0x00000803/,
  );
});

test('a wrong count or image size is reported', () => {
  assertFails(write('count', idxImages(4, 2, 2)), imagesExpect, /header says 4 items, expected 3/);
  assertFails(write('size', idxImages(3, 2, 3)), imagesExpect, /images are 2×3, expected 2×2/);
});

test('truncated files fail: short header, short body, cut gzip stream', () => {
  assertFails(
    write('short-header', images.subarray(0, 10)),
    imagesExpect,
    /truncated: 10 bytes, shorter than the 16-byte/,
  );
  assertFails(
    write('short-body', images.subarray(0, 20)),
    imagesExpect,
    /truncated: 20 bytes, expected 28 \(3 images\)/,
  );
  const gz = gzipSync(images);
  assertFails(
    write('cut.gz', gz.subarray(0, gz.length - 6)),
    imagesExpect,
    /gzip stream is corrupt or truncated/,
  );
  assertFails(
    write('long', Buffer.concat([images, Buffer.from([0])])),
    imagesExpect,
    /trailing data: 29 bytes/,
  );
});

test('a flipped pixel fails the SHA-256 check', () => {
  const corrupt = Buffer.from(images);
  corrupt[20] = (corrupt[20]! + 1) % 256;
  assertFails(
    write('corrupt', corrupt),
    imagesExpect,
    new RegExp(`SHA-256 of the IDX bytes is [0-9a-f]{64}, expected ${imagesExpect.sha256}`),
  );
});
