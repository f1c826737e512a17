import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closeDatabase, createSweep, migrate, openDatabase, recordArtifact } from '@sweeplab/db';
import { RunParams } from '@sweeplab/shared';
import { deletePrefix, LocalCluster, tempDir, testPrefix } from '@sweeplab/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';

// The run page's drawing pad in headless Chromium against a real API whose run has real weights: the
// 97.95% ResNet the prediction tests use (apps/api/src/fixtures), kept as a training run keeps them.
const WEIGHTS = fileURLToPath(
  new URL('../../../apps/api/src/fixtures/resnet-mnist-1epoch.safetensors', import.meta.url),
);
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const RUN_ID = 'run_digitpadtest000001';

let cluster: LocalCluster;
let browser: Browser;
const dir = tempDir('digit-pad-e2e');
const prefix = testPrefix('digit-pad-e2e');
const pageErrors: string[] = [];

before(async () => {
  const databasePath = join(dir.path, 'orchestrator.db');
  const db = openDatabase(databasePath);
  migrate(db);
  const params = RunParams.parse({ model: 'resnet', lr: 0.1, epochs: 1 });
  createSweep(db, {
    id: 'swp_digitpadtest000001',
    name: 'digit pad',
    method: 'grid',
    config: {},
    metric: { name: 'val_acc', goal: 'maximize' },
    runs: [{ id: RUN_ID, params }],
  });
  const bytes = readFileSync(WEIGHTS);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  mkdirSync(join(dir.path, 'artifacts'));
  copyFileSync(WEIGHTS, join(dir.path, 'artifacts', `${sha256}.safetensors`));
  for (const kind of ['best', 'final'] as const) {
    recordArtifact(db, {
      run_id: RUN_ID,
      kind,
      format: 'safetensors',
      epoch: 1,
      attempt: 1,
      metric_name: 'val_acc',
      metric_value: 0.9795,
      val_acc: 0.9795,
      bytes: bytes.length,
      sha256,
      created_at: new Date().toISOString(),
    });
  }
  closeDatabase(db);
  mkdirSync(ARTIFACTS, { recursive: true });
  [cluster, browser] = await Promise.all([
    // No workers: the run stays queued; its weights are what the pad asks.
    LocalCluster.start({ prefix, databasePath, workers: 0, logDir: join(dir.path, 'logs') }),
    launchChromium(),
  ]);
});

after(async () => {
  await browser?.close();
  await cluster?.stop();
  if (cluster) await deletePrefix(cluster.redis.url, prefix);
  dir.remove();
});

/** Drags the mouse through `points` (pad pixels, 280×280) as one stroke. */
async function stroke(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.locator('#digit-canvas').boundingBox())!;
  const [first, ...rest] = points;
  await page.mouse.move(box.x + first![0], box.y + first![1]);
  await page.mouse.down();
  for (const [x, y] of rest) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
  await page.mouse.up();
}

async function answer(page: Page): Promise<{ values: number[]; top: (string | null)[] }> {
  const values = (await page.locator('.digit-bar-value').allTextContents()).map((t) => Number.parseFloat(t));
  const top = page.locator('.digit-bar.top');
  const tops = await Promise.all(
    Array.from({ length: await top.count() }, (_, i) => top.nth(i).getAttribute('data-class')),
  );
  return { values, top: tops };
}

/** Waits until the pad shows `digit` as its answer. */
const shows = (page: Page, digit: string) =>
  page.locator('#digit-class', { hasText: new RegExp(`^${digit}$`) }).waitFor();

test('the run page: draw a digit anywhere on the pad, see the predicted class and ten probability bars, live', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  const predictions: number[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith(`/v1/runs/${RUN_ID}/predict`)) predictions.push(r.status());
    else if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${cluster.url}/#/runs/${RUN_ID}`);
  await page
    .locator('#digit-canvas')
    .waitFor({ state: 'visible' })
    .catch((err) => {
      throw new Error(`${err.message}\npage errors: ${pageErrors.join('\n')}`);
    });
  assert.equal(await page.locator('#digit-class').textContent(), '–');

  // A "1", small and off to the left: the API finds it, fits it and centres it.
  await stroke(page, [
    [70, 60],
    [72, 190],
  ]);
  await shows(page, '1');
  let seen = await answer(page);
  assert.equal(seen.values.length, 10);
  assert.ok(Math.abs(seen.values.reduce((a, b) => a + b, 0) - 100) < 1, seen.values.join(' '));
  assert.deepEqual(seen.top, ['1']);
  assert.ok(seen.values[1]! > 50, `P(1) = ${seen.values[1]}%`);
  assert.match(
    (await page.locator('#digit-note').textContent()) ?? '',
    /ink box scaled by [\d.]+ to fit 20×20/,
  );

  // Clear, then a large "7" in one stroke.
  await page.locator('#digit-clear').click();
  assert.equal(await page.locator('#digit-class').textContent(), '–');
  await stroke(page, [
    [50, 50],
    [230, 50],
    [120, 250],
  ]);
  await shows(page, '7');
  seen = await answer(page);
  assert.deepEqual(seen.top, ['7']);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-digit-pad.png'), fullPage: true });

  // Debounced: a few requests per drawing, not one per pointer move (each stroke moved 8–16 times).
  assert.ok(predictions.length >= 2 && predictions.length <= 8, `${predictions.length} predict requests`);
  assert.ok(
    predictions.every((s) => s === 200),
    predictions.join(' '),
  );
  assert.deepEqual(pageErrors, []);
  await page.close();
});
