import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { applyRunEvents, createSweep } from '@sweeplab/db';
import { REPORT_FORMATS } from '@sweeplab/report';
import {
  FALLBACK_STYLES,
  MODEL_NAMES,
  modelStyle,
  REFERENCE_RECIPE,
  RUN_STATUSES,
  type RunEvent,
  type RunParams,
  type RunStatus,
  statusesThatCanBecome,
  TERMINAL_STATUSES,
} from '@sweeplab/shared';
import { tempDir } from '@sweeplab/testing';
import type { FastifyInstance } from 'fastify';
import { createTestApi, type TestApi } from '../test-api.ts';
import { DASHBOARD_MODULES } from './dashboard-routes.ts';

const SWEEP_ID = 'swp_000000000000000001';
const UNKNOWN_SWEEP = 'swp_000000000000000999';
const NAME = 'cnn vs resnet <script>alert(1)</script>';
const apiDir = fileURLToPath(new URL('../../', import.meta.url));

/** Final-epoch validation accuracy per run; the report's means must be computed from these rows. */
const FINAL_VAL_ACC: Record<string, number> = {
  run_cnn_0: 0.97,
  run_cnn_1: 0.98,
  run_resnet_0: 0.99,
  run_resnet_1: 0.985,
};

const dir = tempDir('report-routes');
const databasePath = join(dir.path, 'data', 'orchestrator.db');
let api: TestApi;
let app: FastifyInstance;

function params(model: 'cnn' | 'resnet', seed: number): RunParams {
  return {
    model,
    dataset: 'mnist',
    lr: 0.1,
    epochs: 3,
    batch_size: 64,
    seed,
    momentum: 0,
    ...REFERENCE_RECIPE,
  };
}

function epochEvents(runId: string, finalValAcc: number): RunEvent[] {
  const base = { run_id: runId, attempt: 1, worker_id: 'worker-1' };
  const at = Date.UTC(2025, 0, 1, 12);
  return [
    {
      type: 'started',
      ...base,
      at,
      backend: 'cpu',
      tfjs_version: '4.22.0',
      device: 'test-cpu',
      resumed_from_epoch: 0,
    },
    ...[1, 2, 3].map(
      (epoch): RunEvent => ({
        type: 'epoch',
        ...base,
        at: at + epoch * 1000,
        metrics: {
          epoch,
          train_loss: 1 / (epoch * 4),
          train_acc: 0.9,
          val_loss: 0.1,
          val_acc: epoch === 3 ? finalValAcc : finalValAcc - 0.1 / epoch,
          epoch_seconds: 2,
          images_per_second: 30_000,
        },
      }),
    ),
    { type: 'completed', ...base, at: at + 10_000 },
  ];
}

before(async () => {
  api = await createTestApi('report-routes', { env: { DATABASE_PATH: databasePath } });
  app = api.app;
  const db = api.db;
  createSweep(db, {
    id: SWEEP_ID,
    name: NAME,
    method: 'grid',
    config: { name: NAME },
    metric: { name: 'val_acc', goal: 'maximize' },
    runs: Object.keys(FINAL_VAL_ACC).map((id) => {
      const [, model, seed] = id.split('_') as [string, 'cnn' | 'resnet', string];
      return { id, params: params(model, Number(seed)) };
    }),
  });
  applyRunEvents(
    db,
    Object.entries(FINAL_VAL_ACC).flatMap(([id, acc]) => epochEvents(id, acc)),
  );
});

after(async () => {
  await api?.close();
  dir.remove();
});

const mean = (a: number, b: number) => (a + b) / 2;

test('format=json (the default) is the computed report, with the numbers of the rows', async () => {
  const res = await app.inject({ method: 'GET', url: `/v1/sweeps/${SWEEP_ID}/report` });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^application\/json/);
  const report = res.json();
  assert.equal(report.sweep.name, NAME);
  assert.deepEqual(report.source, { runRows: 4, epochRows: 12 });
  assert.equal(report.progress.completed, 4);
  const models = report.groups[0].models as {
    model: string;
    parameters: number;
    finalValAcc: { mean: number; n: number };
  }[];
  const cnn = models.find((m) => m.model === 'cnn');
  const resnet = models.find((m) => m.model === 'resnet');
  assert.ok(cnn && resnet);
  assert.equal(cnn.parameters, 823_746);
  assert.equal(resnet.parameters, 221_810);
  assert.equal(cnn.finalValAcc.n, 2);
  assert.ok(Math.abs(cnn.finalValAcc.mean - mean(0.97, 0.98)) < 1e-12);
  assert.ok(Math.abs(resnet.finalValAcc.mean - mean(0.99, 0.985)) < 1e-12);
});

test('format=md is markdown with the means in percent and the parameter counts', async () => {
  const res = await app.inject({ method: 'GET', url: `/v1/sweeps/${SWEEP_ID}/report?format=md` });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/markdown; charset=utf-8/);
  const text = res.body;
  assert.match(text, /^# /);
  assert.match(text, /823,746/);
  assert.match(text, /\| 97\.50 ± 0\.71 \|/, 'cnn final val acc: mean ± std of 97 and 98');
  assert.match(text, /\| 98\.75 ± 0\.35 \|/, 'resnet final val acc: mean ± std of 99 and 98.5');
});

test('format=csv is the checkpoint table, accuracies as fractions', async () => {
  const res = await app.inject({ method: 'GET', url: `/v1/sweeps/${SWEEP_ID}/report?format=csv` });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/csv; charset=utf-8/);
  const [header, ...rows] = res.body.trimEnd().split('\r\n');
  const cols = (header ?? '').split(',');
  const at = (row: string[], col: string) => row[cols.indexOf(col)];
  const lastCnn = rows
    .map((r) => r.split(','))
    .find((r) => at(r, 'model') === 'cnn' && at(r, 'epoch') === '3');
  assert.ok(lastCnn, `no cnn row for epoch 3 in\n${res.body}`);
  assert.equal(at(lastCnn, 'n'), '2');
  assert.ok(Math.abs(Number(at(lastCnn, 'val_acc_mean')) - mean(0.97, 0.98)) < 1e-12);
  assert.equal(Number(at(lastCnn, 'train_loss_mean')), 1 / 12);
});

test('format=html is one escaped, script-free page', async () => {
  const res = await app.inject({ method: 'GET', url: `/v1/sweeps/${SWEEP_ID}/report?format=html` });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/);
  assert.match(res.headers['content-security-policy'] as string, /default-src 'none'/);
  assert.match(res.body, /^<!DOCTYPE html>/);
  assert.ok(res.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!res.body.includes('<script'), 'no script element, not even from the sweep name');
  assert.match(res.body, /97\.50/);
});

test('an unknown sweep is a 404, a malformed id or format a 400 naming the field', async () => {
  const unknown = await app.inject({ method: 'GET', url: `/v1/sweeps/${UNKNOWN_SWEEP}/report?format=md` });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().error, 'not_found');
  const badId = await app.inject({ method: 'GET', url: '/v1/sweeps/nope/report' });
  assert.equal(badId.statusCode, 400);
  assert.equal(badId.json().issues[0].field, 'params.id');
  const badFormat = await app.inject({ method: 'GET', url: `/v1/sweeps/${SWEEP_ID}/report?format=pdf` });
  assert.equal(badFormat.statusCode, 400);
  assert.equal(badFormat.json().issues[0].field, 'query.format');
});

test('the dashboard is served at / with its assets, hidden from the OpenAPI document', async () => {
  const page = await app.inject({ method: 'GET', url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /^text\/html/);
  assert.match(page.headers['content-security-policy'] as string, /script-src 'self'/);
  assert.ok(page.body.includes('src="/dashboard/app.js"'));
  assert.ok(page.body.includes('href="/dashboard/style.css"'));
  // Every module in the folder is served, so a new page cannot be left out of the list.
  const dashboardDir = new URL('../dashboard/', import.meta.url);
  const modules = readdirSync(dashboardDir).filter((f) => f.endsWith('.js'));
  assert.deepEqual([...DASHBOARD_MODULES].sort(), modules.sort());
  for (const asset of [...modules, 'style.css']) {
    const res = await app.inject({ method: 'GET', url: `/dashboard/${asset}` });
    assert.equal(res.statusCode, 200, asset);
    assert.match(
      res.headers['content-type'] as string,
      asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/,
    );
  }
  assert.equal((await app.inject({ method: 'GET', url: '/dashboard/../package.json' })).statusCode, 404);
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  assert.ok(doc.paths['/v1/sweeps/{id}/report']);
  assert.ok(doc.paths['/v1/sweeps/{id}/live']);
  assert.equal(doc.paths['/'], undefined);
  assert.equal(doc.paths['/dashboard/app.js'], undefined);
});

test('the dashboard draws with the report axis module and the catalog model styles; every import is served', async () => {
  const axes = await app.inject({ method: 'GET', url: '/dashboard/chart-axes.js' });
  assert.equal(axes.statusCode, 200);
  assert.match(axes.headers['content-type'] as string, /^text\/javascript/);
  const axesFile = fileURLToPath(import.meta.resolve('@sweeplab/shared/chart-axes'));
  assert.equal(axes.body, await readFile(axesFile, 'utf8'));

  const catalog = await app.inject({ method: 'GET', url: '/dashboard/model-catalog.js' });
  assert.equal(catalog.statusCode, 200);
  const served = await import(`data:text/javascript,${encodeURIComponent(catalog.body)}`);
  for (const name of MODEL_NAMES) assert.deepEqual(served.MODEL_STYLES[name], modelStyle(name), name);
  assert.deepEqual(served.FALLBACK_STYLES, FALLBACK_STYLES);

  // Follow the module graph from app.js: a missing asset would break the page without a build step.
  const seen = new Set<string>();
  const queue = ['app.js'];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const res = await app.inject({ method: 'GET', url: `/dashboard/${file}` });
    assert.equal(res.statusCode, 200, `/dashboard/${file}`);
    for (const m of res.body.matchAll(/from '\.\/([\w-]+\.js)'/g)) queue.push(m[1]!);
  }
  assert.ok(
    ['chart-axes.js', 'model-catalog.js', 'run-status.js', 'report-formats.js'].every((m) => seen.has(m)),
    [...seen].join(', '),
  );
});

test('the dashboard is served the report formats of the report package, in its order', async () => {
  const res = await app.inject({ method: 'GET', url: '/dashboard/report-formats.js' });
  assert.equal(res.statusCode, 200);
  const served = await import(`data:text/javascript,${encodeURIComponent(res.body)}`);
  assert.deepEqual(served.REPORT_FORMATS, REPORT_FORMATS);
});

test('the dashboard is served the run statuses, in order, and which are final, from the state machine', async () => {
  const res = await app.inject({ method: 'GET', url: '/dashboard/run-status.js' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/javascript/);
  const served = await import(`data:text/javascript,${encodeURIComponent(res.body)}`);
  assert.deepEqual(served.RUN_STATUSES, RUN_STATUSES);
  assert.deepEqual(served.TERMINAL_STATUSES, TERMINAL_STATUSES);
  assert.deepEqual(
    served.RUN_STATUSES.filter((s: RunStatus) => !served.TERMINAL_STATUSES.includes(s)),
    statusesThatCanBecome('cancelled'),
    'the statuses the dashboard offers a cancel for are those the state machine can cancel',
  );
});

test('the live view has every run with its latest epoch and curve, and answers 304 when unchanged', async () => {
  const res = await app.inject({ method: 'GET', url: `/v1/sweeps/${SWEEP_ID}/live` });
  assert.equal(res.statusCode, 200);
  const view = res.json();
  assert.equal(view.sweep.name, NAME);
  assert.equal(view.runs.length, 4);
  const cnn0 = view.runs.find((r: { id: string }) => r.id === 'run_cnn_0');
  assert.equal(cnn0.epochs_done, 3);
  assert.equal(cnn0.final_val_acc, 0.97);
  assert.equal(cnn0.worker, 'worker-1');
  assert.deepEqual(view.curves.run_cnn_0.epoch, [1, 2, 3]);
  assert.equal(view.curves.run_cnn_0.val_acc[2], 0.97);
  const again = await app.inject({
    method: 'GET',
    url: `/v1/sweeps/${SWEEP_ID}/live`,
    headers: { 'if-none-match': res.headers.etag as string },
  });
  assert.equal(again.statusCode, 304);
  assert.equal(
    (await app.inject({ method: 'GET', url: `/v1/sweeps/${UNKNOWN_SWEEP}/live` })).statusCode,
    404,
  );
});

// The CLI shares loadReportInput; npm runs it inside apps/api, so these run it from there too.
function cli(args: string[], env: Record<string, string> = {}) {
  const { DATABASE_PATH: _ignored, ...inherited } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/offline-tools/report.ts', ...args], {
    cwd: apiDir,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI: a relative DATABASE_PATH is read from where npm was run (INIT_CWD); no id lists the sweeps', () => {
  const r = cli([], { INIT_CWD: dir.path, DATABASE_PATH: './data/orchestrator.db' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${SWEEP_ID} .*4/4 completed`));
});

test('CLI: prints markdown by default, writes --format html to --out', () => {
  const md = cli([SWEEP_ID], { DATABASE_PATH: databasePath });
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^# /);
  assert.match(md.stdout, /\| 97\.50 ± 0\.71 \|/);
  mkdirSync(join(dir.path, 'out'), { recursive: true });
  const html = cli([SWEEP_ID, '--format', 'html', '--out', 'out/report.html'], {
    INIT_CWD: dir.path,
    DATABASE_PATH: databasePath,
  });
  assert.equal(html.code, 0, html.stderr);
  assert.match(readFileSync(join(dir.path, 'out', 'report.html'), 'utf8'), /^<!DOCTYPE html>/);
});

test('CLI: an unknown or malformed id, a bad format or a missing database exit 1 with a clear message', () => {
  const unknown = cli([UNKNOWN_SWEEP], { DATABASE_PATH: databasePath });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, new RegExp(`sweep ${UNKNOWN_SWEEP} not found in .*orchestrator\\.db`));
  const malformed = cli(['1234'], { DATABASE_PATH: databasePath });
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /sweep id "1234": must be a sweep id like swp_/);
  const format = cli([SWEEP_ID, '--format', 'pdf'], { DATABASE_PATH: databasePath });
  assert.equal(format.code, 1);
  assert.match(format.stderr, /--format "pdf"/);
  const missing = cli([SWEEP_ID], { DATABASE_PATH: join(dir.path, 'nope.db') });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no database at .*nope\.db/);
});
