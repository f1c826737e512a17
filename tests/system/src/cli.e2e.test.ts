import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deletePrefix, freePort, LocalCluster, tempDir, testPrefix, waitFor } from '@sweeplab/testing';
import { type CliResult, runSweeplab, SWEEPLAB_BIN } from './sweeplab-process.ts';

// The `sweeplab` command as users run it (bin/sweeplab.js, a separate process, HTTP only) against a real
// API and a real worker: once through a pipe (CI logs) and once in a pseudo-terminal (util-linux
// `script`), where it draws progress bars and where Ctrl-C detaches without stopping the sweep.

const bin = SWEEPLAB_BIN;
const TOKEN = 'cli-e2e-token-0123';
const ESC = '\x1b';
let cluster: LocalCluster;
const dir = tempDir('cli-e2e');
const prefix = testPrefix('cli-e2e');

function sweeplab(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runSweeplab(args, { API_URL: cluster.url, API_TOKEN: TOKEN, ...env });
}

function sweepFile(name: string, body: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, body);
  return path;
}

before(async () => {
  cluster = await LocalCluster.start({
    prefix,
    databasePath: join(dir.path, 'orchestrator.db'),
    workers: 1,
    logDir: join(dir.path, 'logs'),
    apiEnv: { API_TOKEN: TOKEN },
    workerEnv: {
      WORKER_TRAINER: 'synthetic',
      SYNTHETIC_EPOCH_MS: '200',
      WORKER_HEARTBEAT_MS: '500',
      WORKER_CONCURRENCY: '2',
    },
  });
});

after(async () => {
  await cluster?.stop();
  await deletePrefix(cluster.redis.url, prefix);
  if (!process.env.KEEP_TEST_DIR) dir.remove();
  else console.error(`kept ${dir.path}`);
});

test('in a pipe: sweep --watch prints plain progress lines, then the comparison report; listings take --json', async () => {
  const file = sweepFile(
    'grid.yaml',
    [
      'name: cli grid',
      'method: grid',
      'parameters:',
      '  model: {values: [cnn, resnet]}',
      '  seed: {values: [0, 1]}',
      '  lr: {value: 0.1}',
      '  epochs: {value: 3}',
      '',
    ].join('\n'),
  );
  const watched = await sweeplab(['sweep', file, '--watch', '--interval', '200']);
  assert.equal(watched.code, 0, watched.stderr);
  const sweepId = watched.stdout.split('\n')[0]!;
  assert.match(sweepId, /^swp_[0-9a-z]{18}$/);
  assert.match(watched.stderr, new RegExp(`Dashboard: ${cluster.url}/#/sweeps/${sweepId}`));
  assert.ok(!watched.stdout.includes(`${ESC}[`), 'no terminal escapes in a pipe');
  const finalLines = watched.stdout
    .split('\n')
    .filter((l) => /epoch 3\/3 val_acc=\d\.\d{4} state=completed/.test(l));
  assert.equal(finalLines.length, 4, watched.stdout);
  assert.match(watched.stdout, /^# cli grid$/m, 'the markdown report follows');
  assert.match(watched.stdout, /### Comparison of final validation accuracy/);

  const runs = await sweeplab(['runs', '--sweep', sweepId, '--json']);
  assert.equal(runs.code, 0, runs.stderr);
  const listed = JSON.parse(runs.stdout) as { runs: { id: string; status: string }[] };
  assert.deepEqual(
    listed.runs.map((r) => r.status),
    ['completed', 'completed', 'completed', 'completed'],
  );
  const one = await sweeplab(['run', listed.runs[0]!.id]);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /epochs\s+3\/3/);

  const csv = await sweeplab(['metrics', '--sweep', sweepId, '--csv']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stdout.trim().split('\n').length, 1 + 4 * 3, 'a header and 12 epoch rows');

  const reportPath = join(dir.path, 'report.html');
  const html = await sweeplab(['report', sweepId, '--format', 'html', '--out', reportPath]);
  assert.equal(html.code, 0, html.stderr);
  assert.match(html.stderr, /wrote .*report\.html/);
  assert.match(readFileSync(reportPath, 'utf8'), /^<!doctype html>/i);
  // --open hands the written file to $BROWSER (xdg-open when unset) and does not wait for it.
  const opened = join(dir.path, 'opened.txt');
  const browser = join(dir.path, 'browser.sh');
  writeFileSync(browser, `#!/bin/sh\necho "$1" > ${opened}\n`, { mode: 0o755 });
  const open = await sweeplab(['report', sweepId, '--out', join(dir.path, 'open.html'), '--open'], {
    BROWSER: browser,
  });
  assert.equal(open.code, 0, open.stderr);
  const openedPath = await waitFor(
    'the browser command to run',
    async () => (existsSync(opened) ? readFileSync(opened, 'utf8').trim() : undefined),
    10_000,
  );
  assert.equal(openedPath, join(dir.path, 'open.html'));
  assert.match(readFileSync(openedPath, 'utf8'), /<html/i, '--open without --format writes HTML');

  const workers = await sweeplab(['workers', '--json']);
  assert.equal(workers.code, 0, workers.stderr);
  assert.equal((JSON.parse(workers.stdout) as { workers: unknown[] }).workers.length, 1);
});

test('exit codes: 2 bad usage, 3 API unreachable, 4 rejected with the field errors printed', async () => {
  const usage = await sweeplab(['runs', '--format', 'md']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /runs does not take --format/);
  assert.equal((await sweeplab(['frobnicate'])).code, 2);
  assert.equal((await sweeplab(['cancel', 'not-an-id'])).code, 2);

  const closed = await sweeplab(['runs'], { API_URL: `http://127.0.0.1:${await freePort()}` });
  assert.equal(closed.code, 3, closed.stderr);
  assert.match(closed.stderr, /cannot reach the API at http:\/\/127\.0\.0\.1:\d+/);

  const bad = sweepFile(
    'bad.yaml',
    'name: bad\nmethod: grid\nparameters:\n  lr: {value: -1}\n  model: {value: cnn}\n',
  );
  const rejected = await sweeplab(['sweep', bad]);
  assert.equal(rejected.code, 4, rejected.stderr);
  assert.match(rejected.stderr, /rejected the request \(400\)/);
  assert.match(rejected.stderr, /^ {2}body\.parameters\.lr: must be greater than 0$/m);

  const unauthorized = await sweeplab(['sweep', bad], { API_TOKEN: 'wrong-token-123' });
  assert.equal(unauthorized.code, 4);
  assert.match(unauthorized.stderr, /headers\.authorization/);

  const status = await sweeplab(['runs', '--status', 'sleeping']);
  assert.equal(status.code, 4);
  assert.match(status.stderr, /query\.status/);
});

test('in a terminal: one live bar per run; Ctrl-C detaches and the sweep keeps running', async () => {
  const file = sweepFile(
    'long.json',
    JSON.stringify({
      name: 'cli long',
      method: 'grid',
      parameters: { model: { values: ['cnn', 'resnet'] }, lr: { value: 0.1 }, epochs: { value: 40 } },
    }),
  );
  const submitted = await sweeplab(['sweep', file]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const sweepId = submitted.stdout.trim();

  // util-linux `script` gives the CLI a pseudo-terminal; ^C typed into it becomes SIGINT for the CLI.
  const command = `stty cols 160 rows 40; ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} watch ${sweepId} --interval 200`;
  const tty = spawn('script', ['-qfec', command, '/dev/null'], {
    env: { ...process.env, API_URL: cluster.url, API_TOKEN: TOKEN },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  tty.stdout.on('data', (d) => (screen += d));
  const exited = new Promise<number | null>((resolve) => tty.on('exit', (code) => resolve(code)));
  await waitFor(
    'two bars with epochs in progress, redrawn in place (3 lines up: the summary and 2 runs)',
    async () => {
      if (!screen.includes(`${ESC}[3F`)) return undefined;
      const bars = screen.match(
        /run_[0-9a-z]{18} +\w+ lr=0\.1 seed=\d+ +\[#+\.*\] +\d+\/40 +val_acc \d\.\d{4} +running +ETA \d+:\d\d/g,
      );
      return bars && new Set(bars.map((b) => b.slice(0, 22))).size === 2 ? true : undefined;
    },
    60_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; the terminal showed:\n${screen}`);
  });
  assert.ok(screen.includes(`${ESC}[?25l`), 'the cursor is hidden while bars redraw');
  tty.stdin.write('\x03');
  assert.equal(await exited, 130);
  assert.match(screen, /Stopped watching\. Sweep swp_[0-9a-z]{18} keeps running/);
  assert.ok(screen.includes(`${ESC}[?25h`), 'the cursor comes back');

  const after = await cluster.fetchJson<{ runs: { status: string }[] }>(`/v1/sweeps/${sweepId}`);
  assert.ok(
    after.body.runs.every((r) => r.status === 'running' || r.status === 'queued' || r.status === 'completed'),
    JSON.stringify(after.body.runs),
  );
  assert.ok(after.body.runs.some((r) => r.status === 'running'));

  const cancelled = await sweeplab(['cancel', sweepId]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.match(cancelled.stdout, /cancelled 2 unfinished run\(s\)/);
});
