import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deletePrefix, LocalCluster, tempDir, testPrefix, waitFor } from '@sweeplab/testing';

/*
 * Programs as sweeps (issue #21) through real processes: an API, two workers serving the programs in
 * ./program-fixtures (WORKER_PROGRAMS_DIR), a real Redis and a SQLite file. The programs write
 * markers to MARKER_DIR so the test sees what they saw (their argv, SIGTERM, their pid).
 */

const cliBin = fileURLToPath(new URL('../../../apps/cli/bin/sweeplab.js', import.meta.url));
const fixtures = fileURLToPath(new URL('./program-fixtures', import.meta.url));
const dir = tempDir('program-sweeps');
const markers = join(dir.path, 'markers');
const prefix = testPrefix('program-sweeps');
const GRACE_MS = 1500;
let cluster: LocalCluster;

interface RunRow {
  id: string;
  status: string;
  program: string | null;
  program_params: Record<string, unknown> | null;
  error: string | null;
}
interface CreatedSweep {
  id: string;
  warnings: string[];
  runs: { id: string; program_params: Record<string, unknown> }[];
}
interface MetricRow {
  run_id: string;
  step: number;
  key: string;
  value: number;
}

before(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(markers, { recursive: true });
  cluster = await LocalCluster.start({
    prefix,
    databasePath: join(dir.path, 'orchestrator.db'),
    workers: 2,
    logDir: join(dir.path, 'logs'),
    apiEnv: { JOB_BACKOFF_MS: '100' },
    workerEnv: {
      WORKER_PROGRAMS_DIR: fixtures,
      WORKER_HEARTBEAT_MS: '500',
      WORKER_STOP_GRACE_MS: String(GRACE_MS),
      MARKER_DIR: markers,
    },
  });
  await waitFor(
    'both workers announcing their programs',
    async () => {
      const { body } = await cluster.fetchJson<{ workers: { programs: string[] }[] }>('/v1/workers');
      const ready = body.workers.filter((w) => w.programs.includes('curve.mjs'));
      return ready.length === 2 ? true : undefined;
    },
    60_000,
  );
});

after(async () => {
  await cluster?.stop();
  await deletePrefix(cluster.redis.url, prefix);
  if (!process.env.KEEP_TEST_DIR) dir.remove();
  else console.error(`kept ${dir.path}`);
});

const post = (body: object) =>
  cluster.fetchJson<CreatedSweep>('/v1/sweeps', { method: 'POST', body: JSON.stringify(body) });
const runsOf = async (sweepId: string) =>
  (await cluster.fetchJson<{ runs: RunRow[] }>(`/v1/sweeps/${sweepId}`)).body.runs;
const untilSettled = (sweepId: string, timeoutMs: number) =>
  waitFor(
    `sweep ${sweepId} settled`,
    async () => {
      const runs = await runsOf(sweepId);
      return runs.every((r) => !['queued', 'running'].includes(r.status)) ? runs : undefined;
    },
    timeoutMs,
  );
const curve = (lr: number, step: number) => Math.abs(Math.log10(lr) + 1) + 1 / (step + 1);

test('a Node program sweep: every logged value is a metrics row; hyperband stops the bad lrs and they saw SIGTERM', async () => {
  const good = [0.1, 0.2, 0.05];
  const bad = [0.00001, 0.000001, 0.0000001];
  const { status, body } = await post({
    program: 'curve.mjs',
    method: 'grid',
    metric: { name: 'loss', goal: 'minimize' },
    early_terminate: { type: 'hyperband', min_iter: 1, eta: 3 },
    parameters: {
      lr: { values: [...good, ...bad] },
      steps: { value: 8 },
      sleep_ms: { value: 300 },
    },
  });
  assert.equal(status, 201, JSON.stringify(body));
  assert.deepEqual(body.warnings, []);
  const runs = await untilSettled(body.id, 120_000);
  const rows = (await cluster.fetchJson<{ rows: MetricRow[] }>(`/v1/program-metrics?sweep_id=${body.id}`))
    .body.rows;
  for (const run of runs) {
    const lr = run.program_params?.lr as number;
    const mine = rows.filter((r) => r.run_id === run.id);
    const loss = mine.filter((r) => r.key === 'loss').map((r) => [r.step, r.value]);
    const aux = mine.filter((r) => r.key === 'aux').map((r) => [r.step, r.value]);
    // Whatever a run logged is there, exactly, step by step (a stopped run: a prefix of its curve).
    assert.deepEqual(
      loss,
      loss.map((_, s) => [s, curve(lr, s)]),
      `run ${run.id} lr ${lr}`,
    );
    assert.deepEqual(
      aux,
      aux.map((_, s) => [s, s * 2]),
    );
    if (run.status === 'completed') assert.equal(loss.length, 8, `completed run ${run.id} logged every step`);
  }
  for (const run of runs.filter((r) => bad.includes(r.program_params?.lr as number))) {
    assert.equal(run.status, 'stopped', `lr ${run.program_params?.lr} stopped by hyperband`);
    const marker = join(markers, `${run.id}.sigterm`);
    await waitFor('the SIGTERM marker', async () => (existsSync(marker) ? true : undefined), 10_000);
    assert.equal(readFileSync(marker, 'utf8'), 'true', 'should_stop() was true when SIGTERM came');
  }
  assert.ok(
    runs.some((r) => r.status === 'completed' && good.includes(r.program_params?.lr as number)),
    'a good lr completed',
  );
  const { body: detail } = await cluster.fetchJson<{
    search: { best_run: { params: { lr: number } } | null };
    early_terminate: { bands: number[]; stopped: { run_id: string; band: number }[] };
  }>(`/v1/sweeps/${body.id}`);
  assert.ok(detail.early_terminate.stopped.length >= bad.length, 'each stop is listed with its band');
  assert.deepEqual(detail.early_terminate.bands, [1, 3]);
  assert.equal(detail.search.best_run?.params.lr, 0.1, 'the best run is judged on the logged metric');
  const csv = await fetch(`${cluster.url}/v1/program-metrics?sweep_id=${body.id}&key=loss&format=csv`);
  assert.match(await csv.text(), /^run_id,sweep_id,program,step,key,value,attempt\r\n/);
});

test('a program that ignores SIGTERM is SIGKILLed after WORKER_STOP_GRACE_MS when its run is cancelled', async () => {
  const { body } = await post({ program: 'stubborn.sh', method: 'grid', parameters: { n: { value: 1 } } });
  const runId = body.runs[0]?.id as string;
  const pidFile = join(markers, `${runId}.pid`);
  await waitFor('the program running', async () => (existsSync(pidFile) ? true : undefined), 60_000);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const cancelledAt = Date.now();
  const res = await cluster.fetchJson(`/v1/runs/${runId}`, { method: 'DELETE' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await waitFor('the program killed', async () => (alive() ? undefined : true), 30_000, 50);
  assert.ok(Date.now() - cancelledAt >= GRACE_MS, 'it survived SIGTERM until the grace was over');
  const run = await waitFor(
    'the run cancelled',
    async () => {
      const { body: r } = await cluster.fetchJson<RunRow>(`/v1/runs/${runId}`);
      return r.status === 'cancelled' ? r : undefined;
    },
    30_000,
  );
  assert.equal(run.program, 'stubborn.sh');
});

test('hostile values reach the program as one literal argument each, or are refused with a 400', async () => {
  const values = ['; rm -rf /', '$(id)', 'two\nlines', '--help', 'it\'s "quoted"'];
  const { status, body } = await post({ program: 'argv.sh', method: 'grid', parameters: { s: { values } } });
  assert.equal(status, 201, JSON.stringify(body));
  const runs = await untilSettled(body.id, 60_000);
  for (const run of runs) {
    assert.equal(run.status, 'completed', `${run.id}: ${run.error}`);
    const argv = readFileSync(join(markers, `${run.id}.argv`), 'utf8')
      .split('\0')
      .slice(0, -1);
    assert.deepEqual(argv, [`--s=${run.program_params?.s}`]);
  }
  const big = await post({
    program: 'argv.sh',
    method: 'grid',
    parameters: { s: { value: 'x'.repeat(200_000) } },
  });
  assert.equal(big.status, 400);
  assert.match(JSON.stringify(big.body), /body\.parameters\.s.*at most 65536/);
  const nul = await post({ program: 'argv.sh', method: 'grid', parameters: { s: { value: 'a\u0000b' } } });
  assert.equal(nul.status, 400);
  assert.match(JSON.stringify(nul.body), /NUL/);
  const shell = await post({ program: 'argv.sh; id', method: 'grid', parameters: { s: { value: 1 } } });
  assert.equal(shell.status, 400, 'a program name is a name, not a command');
});

test("a program's failure fails its run with the exit code and stderr, retried only with retries: N", async () => {
  const once = await post({ program: 'flaky.sh', method: 'grid', parameters: { x: { value: 1 } } });
  const [failed] = await untilSettled(once.body.id, 60_000);
  assert.equal(failed?.status, 'failed');
  assert.match(
    failed?.error ?? '',
    /^program flaky\.sh exited with code 1; stderr \(last 4 KiB\):\nattempt 1: the disk is full\n$/,
  );
  // Its output is kept as the run's logs, readable over HTTP and with `sweeplab logs`.
  const { body: logs } = await cluster.fetchJson<{
    lines: { stream: string; attempt: number; line: string }[];
  }>(`/v1/runs/${failed?.id}/logs`);
  assert.deepEqual(
    logs.lines.map(({ stream, attempt, line }) => ({ stream, attempt, line })),
    [{ stream: 'stderr', attempt: 1, line: 'attempt 1: the disk is full' }],
  );
  const cli = spawnSync(process.execPath, [cliBin, 'logs', failed?.id as string, '-f'], {
    env: { ...process.env, API_URL: cluster.url },
    encoding: 'utf8',
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout, 'stderr| attempt 1: the disk is full\n');
  const retried = await post({
    program: 'flaky.sh',
    method: 'grid',
    retries: 1,
    parameters: { x: { value: 1 } },
  });
  const [run] = await untilSettled(retried.body.id, 60_000);
  assert.equal(run?.status, 'completed', run?.error ?? '');
  assert.match(run?.error ?? '', /attempt 1: the disk is full/, 'the first failure stays visible');
});

test('a program no live worker serves waits with a warning, then runs when a worker serving it starts', async () => {
  const { status, body } = await post({
    program: 'late/late.sh',
    method: 'grid',
    parameters: { x: { value: 3 } },
  });
  assert.equal(status, 201, JSON.stringify(body));
  assert.match(body.warnings.join('\n'), /no live worker serves late\/late\.sh/);
  const runId = body.runs[0]?.id as string;
  // Nothing takes it meanwhile: the two workers never read that program's queue.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await cluster.fetchJson<RunRow>(`/v1/runs/${runId}`)).body.status, 'queued');
  const programsFile = join(dir.path, 'programs.json');
  writeFileSync(
    programsFile,
    JSON.stringify({ programs: { 'late/late.sh': { path: join(fixtures, 'argv.sh') } } }),
  );
  cluster.startWorker({ WORKER_PROGRAMS_DIR: '', WORKER_PROGRAMS_FILE: programsFile });
  const [run] = await untilSettled(body.id, 60_000);
  assert.equal(run?.status, 'completed', run?.error ?? '');
  const argv = readFileSync(join(markers, `${runId}.argv`), 'utf8')
    .split('\0')
    .slice(0, -1);
  assert.deepEqual(argv, ['--x=3']);
});
