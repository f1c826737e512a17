import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('./train.ts', import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 120_000 });

test('prints one line per epoch without Redis or the API', () => {
  const r = run(
    '--model',
    'resnet',
    '--epochs',
    '2',
    '--train-subset',
    '64',
    '--val-subset',
    '20',
    '--backend',
    'wasm',
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(
    lines[0]!,
    /^resnet \(221,810 parameters\) on mnist, lr 0.1, batch 64, seed 0, .*backend wasm \(tfjs 4\.22\.0/,
  );
  assert.match(
    lines[1]!,
    /^epoch 1\/2 {2}train_loss \d+\.\d{4} {2}train_acc [\d.]+% {2}val_loss [\d.]+ {2}val_acc [\d.]+% .* img\/s$/,
  );
  assert.match(lines[2]!, /^epoch 2\/2 /);
});

test('invalid flags are reported by name', () => {
  const r = run('--model', 'resnet', '--lr=-1', '--epochs', 'two');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--lr: must be greater than 0/);
  assert.match(r.stderr, /--epochs: /);
  assert.match(run('--model', 'resnet', '--colour', 'red').stderr, /Unknown option '--colour'/);
});
