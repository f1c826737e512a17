import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from './build-report.ts';
import { CSV_COLUMNS, renderCsv } from './render-csv.ts';
import { fixtureInput } from './test-fixture.ts';

test('one row per model × condition × checkpoint, CRLF, full-precision numbers', () => {
  const csv = renderCsv(buildReport(fixtureInput()));
  assert.ok(csv.endsWith('\r\n'));
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines[0], CSV_COLUMNS.join(','));
  // lr 0.05: cnn + resnet × 3 epochs; lr 0.1: 3 models × 3 epochs.
  assert.equal(lines.length, 1 + 6 + 9);
  const resnetE1 = lines.find((l) => l.includes(',0.1,') && l.includes(',resnet,true,1,'));
  assert.ok(resnetE1, 'resnet epoch 1 row at lr 0.1');
  const f = resnetE1.split(',');
  assert.equal(f.length, CSV_COLUMNS.length);
  const at = (column: (typeof CSV_COLUMNS)[number]) => f[CSV_COLUMNS.indexOf(column)];
  assert.equal(at('n'), '3');
  assert.ok(Math.abs(Number(at('train_loss_mean')) - 0.3) < 1e-12);
  assert.ok(Math.abs(Number(at('train_loss_std')) - 0.02) < 1e-12);
  assert.ok(Math.abs(Number(at('val_acc_mean')) - 0.9743333333333334) < 1e-12);
  // cnn at lr 0.05 is still running: n = 0 and empty statistics, not zeros. The recipe columns
  // (optimizer … depth) follow the subsets.
  assert.ok(lines.includes('sw_1,mnist,0.05,64,0,3,,,sgd,false,0,constant,,0.1,0,1,cnn,,1,0,,,,'));
});

test('fields with commas or quotes are quoted (RFC 4180)', () => {
  const input = fixtureInput();
  input.sweep.id = 'sw,"1"';
  const line = renderCsv(buildReport(input)).split('\r\n')[1]!;
  assert.ok(line.startsWith('"sw,""1""",mnist,'));
});
