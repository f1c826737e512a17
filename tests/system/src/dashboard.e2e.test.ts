import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestCluster, waitFor } from '@sweeplab/testing';
import type { BrowserContext, Page } from 'playwright-core';
import type { CreatedSweep, RunRequest, RunWithMetrics, SweepDetail, SweepRequest } from './api-bodies.ts';
import { launchChromium } from './chromium.ts';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const SWEEP_NAME = 'CNN vs ResNet vs plain on MNIST, lr 0.05';
// A name with markup in it: the pages must show it as text, never run it.
const HOSTILE_NAME = 'probe <img src=x onerror=alert(1)><script>alert("xss")</script>';
const EPOCHS = 15;

const pageErrors: string[] = [];
const unexpectedDialogs: string[] = [];

mkdirSync(ARTIFACTS, { recursive: true });
const [{ cluster }, browser] = await Promise.all([
  startTestCluster('dashboard-e2e', {
    workers: 2,
    apiEnv: { INGEST_BLOCK_MS: '200' },
    workerEnv: {
      WORKER_TRAINER: 'synthetic',
      SYNTHETIC_EPOCH_MS: '400',
      WORKER_HEARTBEAT_MS: '500',
      WORKER_CONCURRENCY: '3',
    },
  }),
  launchChromium(),
]);
const context: BrowserContext = await browser.newContext({
  viewport: { width: 1280, height: 860 },
  locale: 'en-US',
});
after(async () => {
  await context.close();
  await browser.close();
});

async function newPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  page.on('dialog', async (dialog) => {
    // The only dialogs the dashboard opens are its cancel confirmations.
    if (dialog.type() === 'confirm' && dialog.message().startsWith('Cancel')) await dialog.accept();
    else {
      unexpectedDialogs.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    }
  });
  return page;
}

async function screenshot(page: Page, name: string, docsName?: string): Promise<void> {
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: true });
  // DOCS_SCREENSHOTS=1 refreshes the committed pictures in docs/ from this run.
  if (docsName && process.env.DOCS_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(path, join(DOCS, docsName));
  }
}

/** Each learning-curve chart on a page: its title, axis domains and tick labels (as both renderers write them). */
function chartAxes(page: Page) {
  return page.locator('svg[role="img"]').evaluateAll((svgs) =>
    svgs.map((svg) => {
      const axis = svg.querySelector('g.axis');
      return {
        title: svg.querySelector('title')?.textContent ?? '',
        x: axis?.getAttribute('data-x-domain'),
        y: axis?.getAttribute('data-y-domain'),
        ticks: [...(axis?.querySelectorAll('text:not(.axis-label)') ?? [])].map((t) => t.textContent),
      };
    }),
  );
}

const epochOf = (text: string | null) => Number(/^(\d+) \//.exec(text ?? '')?.[1] ?? Number.NaN);

test('the dashboard follows a running sweep live, opens a run, cancels one and links the HTML report', async () => {
  const submitted = await cluster.fetchJson<CreatedSweep>('/v1/sweeps', {
    method: 'POST',
    body: JSON.stringify({
      name: SWEEP_NAME,
      method: 'grid',
      metric: { name: 'val_acc', goal: 'maximize' },
      parameters: {
        model: { values: ['cnn', 'resnet', 'plain'] },
        seed: { values: [0, 1, 2] },
        lr: { value: 0.05 },
        epochs: { value: EPOCHS },
      },
    } satisfies SweepRequest),
  });
  assert.equal(submitted.status, 201);
  const sweepId = submitted.body.id;
  const hostile = await cluster.fetchJson<CreatedSweep>('/v1/sweeps', {
    method: 'POST',
    body: JSON.stringify({
      name: HOSTILE_NAME,
      method: 'grid',
      parameters: { model: { value: 'cnn' }, lr: { value: 0.1 }, epochs: { value: 1 } },
    } satisfies SweepRequest),
  });
  assert.equal(hostile.status, 201);

  // The sweeps list shows both, the hostile name as plain text; a click opens the sweep page.
  const page = await newPage();
  await page.goto(`${cluster.url}/`);
  const hostileLink = page.locator(`a[href="#/sweeps/${hostile.body.id}"]`);
  await hostileLink.waitFor({ timeout: 10_000 });
  assert.equal(await hostileLink.textContent(), HOSTILE_NAME);
  assert.equal(await page.locator('main img, main script').count(), 0);
  await screenshot(page, 'dashboard-sweeps.png');
  await page.locator(`a[href="#/sweeps/${sweepId}"]`).click();
  await page.getByRole('heading', { level: 1, name: SWEEP_NAME }).waitFor({ timeout: 10_000 });

  // A run that is running with at least one epoch: read its epoch, then read it again later.
  const runningRow = page.locator('tbody tr', {
    has: page.locator('[data-field="status"]', { hasText: 'running' }),
  });
  let runId = '';
  let firstEpoch = 0;
  await waitFor(
    'a running run with a recorded epoch on the sweep page',
    async () => {
      for (const row of await runningRow.all()) {
        const epoch = epochOf(await row.locator('[data-field="epoch"]').textContent());
        if (epoch >= 1 && epoch < EPOCHS - 4) {
          runId = (await row.getAttribute('data-key')) ?? '';
          firstEpoch = epoch;
          return true;
        }
      }
      return undefined;
    },
    15_000,
    200,
  );
  const epochCell = page.locator(`tr[data-key="${runId}"] [data-field="epoch"]`);
  const secondEpoch = await waitFor(
    `run ${runId} to advance past epoch ${firstEpoch} on the page`,
    async () => {
      const epoch = epochOf(await epochCell.textContent());
      return epoch > firstEpoch ? epoch : undefined;
    },
    6_000,
    200,
  );
  assert.ok(secondEpoch > firstEpoch, `epoch went ${firstEpoch} → ${secondEpoch}`);
  await screenshot(page, 'dashboard-sweep-running.png', 'dashboard-screenshot.png');
  assert.equal(
    await page.locator('figure.chart svg[role="img"]').count(),
    2,
    'both learning-curve charts drawn',
  );

  // Click through to the run page.
  await page.locator(`tr[data-key="${runId}"] a[href="#/runs/${runId}"]`).click();
  await page.getByRole('heading', { level: 1, name: `Run ${runId}` }).waitFor({ timeout: 5_000 });
  await page.locator('dt', { hasText: 'Worker' }).waitFor();
  const worker = await page
    .locator('.details div', { has: page.locator('dt', { hasText: /^Worker$/ }) })
    .locator('dd')
    .textContent();
  assert.match(worker ?? '', /^worker-[12]$/);
  await waitFor(
    'epoch rows on the run page',
    async () =>
      (await page.locator('section[aria-labelledby="epochs-h"] tbody tr[data-key]').count()) > 0
        ? true
        : undefined,
    5_000,
  );
  await screenshot(page, 'dashboard-run.png');

  // The cancel button on a run page stops a run (a separate long run, so the sweep stays whole).
  const extra = await cluster.fetchJson<RunWithMetrics>('/v1/runs', {
    method: 'POST',
    body: JSON.stringify({ model: 'cnn', lr: 0.1, epochs: 200 } satisfies RunRequest),
  });
  await page.goto(`${cluster.url}/#/runs/${extra.body.id}`);
  const cancel = page.getByRole('button', { name: 'Cancel run' });
  await cancel.waitFor();
  await cancel.click();
  await page.locator('.summary .status-cancelled').waitFor({ timeout: 5_000 });
  assert.equal(
    (await cluster.fetchJson<RunWithMetrics>(`/v1/runs/${extra.body.id}`)).body.status,
    'cancelled',
  );

  await page.goto(`${cluster.url}/#/workers`);
  await page.locator('tr[data-key="worker-2"]').waitFor({ timeout: 5_000 });
  assert.equal(await page.locator('tr[data-key="worker-1"]').count(), 1);

  // When the sweep is done, its HTML report opens from the sweep page.
  await waitFor(
    'the sweep to complete',
    async () => {
      const { body } = await cluster.fetchJson<SweepDetail>(`/v1/sweeps/${sweepId}`);
      return body.counts.completed === 9 ? true : undefined;
    },
    30_000,
  );
  await page.goto(`${cluster.url}/#/sweeps/${sweepId}`);
  await page.locator('.live-status[data-state="done"]').waitFor({ timeout: 5_000 });
  assert.equal(await page.locator('[data-field="status"]', { hasText: 'completed' }).count(), 9);
  const [report] = await Promise.all([
    context.waitForEvent('page'),
    page.locator('a[data-report="html"]').click(),
  ]);
  await report.waitForLoadState('load');
  assert.equal(await report.locator('h1').textContent(), SWEEP_NAME);
  assert.match((await report.locator('body').textContent()) ?? '', /823,746/);
  // One data set drawn by both: every run's curve on the sweep page, the mean and min–max band over
  // seeds in the report. The values span the same range, so the axes must be the same.
  const [dashboardCharts, reportCharts] = [await chartAxes(page), await chartAxes(report)];
  for (const quantity of ['accuracy', 'loss']) {
    const drawn = dashboardCharts.find((c) => c.title.toLowerCase().includes(quantity));
    const reported = reportCharts.find((c) => c.title.toLowerCase().includes(quantity));
    assert.ok(drawn?.y && reported, `a ${quantity} chart on the sweep page and in the report`);
    assert.deepEqual({ ...drawn, title: quantity }, { ...reported, title: quantity });
  }
  // docs/report-screenshot.png shows a real training sweep (npm run demo), not this synthetic one.
  await screenshot(report, 'report.png');

  assert.deepEqual(unexpectedDialogs, [], 'no script from the sweep name ran');
  assert.deepEqual(pageErrors, [], 'no page errors or console errors (CSP violations included)');
});

test('the sweep page shows the early-termination rung table and why each run was stopped', async () => {
  // Six good learning rates take the six slots first; the bad one starts after them, so it reaches
  // rung 1 last and is compared with all six.
  const good = [0.1, 0.2, 0.05, 0.15, 0.08, 0.12];
  const submitted = await cluster.fetchJson<{ id: string }>('/v1/sweeps', {
    method: 'POST',
    body: JSON.stringify({
      name: 'asha on the dashboard',
      method: 'grid',
      metric: { name: 'val_acc', goal: 'maximize' },
      early_terminate: { type: 'asha', grace_period: 1, reduction_factor: 3, max_t: 9 },
      parameters: { model: { value: 'cnn' }, lr: { values: [...good, 0.0005] }, epochs: { value: 4 } },
    }),
  });
  assert.equal(submitted.status, 201);
  const id = submitted.body.id;
  const sweep = await waitFor(
    'the asha sweep to finish',
    async () => {
      const { body } = await cluster.fetchJson<{
        counts: Record<string, number>;
        runs: { id: string; lr: number; status: string }[];
      }>(`/v1/sweeps/${id}`);
      return (body.counts.queued ?? 0) + (body.counts.running ?? 0) === 0 ? body : undefined;
    },
    30_000,
  );
  const bad = sweep.runs.find((r) => r.lr === 0.0005);
  assert.equal(bad?.status, 'stopped');

  const page = await newPage();
  await page.goto(`${cluster.url}/#/sweeps/${id}`);
  const section = page.locator('section[aria-labelledby="rungs-h"]');
  await section.getByRole('heading', { name: 'Early termination (asha)' }).waitFor({ timeout: 5_000 });
  const rung1 = section.locator('tbody tr').first();
  assert.equal(await rung1.locator('th').textContent(), '1');
  assert.equal(await rung1.locator('[data-field="reached"]').textContent(), '7');
  const stopped = Number(await rung1.locator('[data-field="stopped"]').textContent());
  assert.ok(stopped >= 1);
  assert.equal(await rung1.locator('[data-field="kept"]').textContent(), String(7 - stopped));
  assert.match(
    (await page.locator(`tr[data-key="${bad.id}"] [data-field="status"]`).textContent()) ?? '',
    /^stopped asha at rung 1: 0\.\d+ vs threshold 0\.\d+, compared with 6 runs$/,
  );
  await screenshot(page, 'sweep-early-termination.png');
  assert.deepEqual(pageErrors, [], 'no page errors or console errors');
});
