import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultInterpreter, type ProgramJobPayload } from '@sweeplab/shared';
import { TrainingChildError } from './child.ts';
import { ProgramRun } from './program-runner.ts';
import type { ServedProgram } from './programs.ts';

// Real programs (sh, node, python3) started the way a worker starts them.
const dir = mkdtempSync(join(tmpdir(), 'sweeplab-programs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function program(name: string, source: string, env: Record<string, string> = {}): ServedProgram {
  const path = join(dir, name);
  writeFileSync(path, source);
  chmodSync(path, 0o755);
  return { name, path, cwd: dir, interpreter: defaultInterpreter(path), env };
}

function payload(params: ProgramJobPayload['program_params'], command?: string[]): ProgramJobPayload {
  return {
    schema_version: 2,
    run_id: 'run_test',
    sweep_id: 'swp_test',
    program: 'p',
    program_params: params,
    ...(command ? { command } : {}),
    metric: { name: 'loss', goal: 'minimize' },
  };
}

function start(p: ServedProgram, job: ProgramJobPayload, stopGraceMs = 30_000, gpu: string | null = null) {
  const logged: [number, Record<string, number>][] = [];
  let pid = 0;
  const run = new ProgramRun({
    program: p,
    payload: job,
    attempt: 1,
    gpu,
    stopGraceMs,
    onStarted: async (info) => {
      pid = info.pid;
    },
    onLog: async (step, values) => {
      logged.push([step, values]);
    },
  });
  return { run, finished: run.run(), logged, pid: () => pid };
}

test('a shell script reports with echo on fd 3; hostile values arrive as one literal argument each', async () => {
  const out = join(dir, 'argv.json');
  const p = program(
    'train.sh',
    [
      'printf "%s\\0" "$@" > "$OUT"',
      'echo \'{"type":"log","step":1,"values":{"loss":0.5}}\' >&3',
      'echo \'{"type":"log","values":{"loss":0.25,"acc":0.9}}\' >&3',
    ].join('\n'),
    { OUT: out },
  );
  const hostile = { a: '; rm -rf /', b: '$(id)', c: 'two\nlines', d: '--help', e: true, f: 0.00001 };
  const { finished, logged } = start(p, payload(hostile));
  assert.deepEqual(await finished, { aborted: false });
  assert.deepEqual(logged, [
    [1, { loss: 0.5 }],
    [2, { loss: 0.25, acc: 0.9 }],
  ]);
  const argv = readFileSync(out, 'utf8').split('\0').slice(0, -1);
  assert.deepEqual(argv, [
    '--a=; rm -rf /',
    '--b=$(id)',
    '--c=two\nlines',
    '--d=--help',
    '--e=True',
    '--f=1e-05',
  ]);
});

test('a Python program reports through the sweeplab module and reads its config', async () => {
  const p = program(
    'train.py',
    [
      'import sweeplab',
      'config = sweeplab.init()',
      'for step in range(3):',
      '    sweeplab.log({"loss": config["lr"] * (step + 1), "layers": config["model.depth"]}, step=step)',
    ].join('\n'),
  );
  const { finished, logged } = start(p, payload({ lr: 0.5, 'model.depth': 4 }));
  assert.deepEqual(await finished, { aborted: false });
  assert.deepEqual(logged, [
    [0, { loss: 0.5, layers: 4 }],
    [1, { loss: 1, layers: 4 }],
    [2, { loss: 1.5, layers: 4 }],
  ]);
});

test('a Node.js program reports through the sweeplab module (NODE_PATH) with the same calls', async () => {
  const p = program(
    'train.mjs',
    [
      "import { createRequire } from 'node:module';",
      "const sweeplab = createRequire(import.meta.url)('sweeplab');",
      'const config = sweeplab.init();',
      'sweeplab.log({ loss: config.lr });',
      'sweeplab.log({ loss: config.lr / 2, stop: sweeplab.shouldStop() ? 1 : 0 }, 5);',
      'sweeplab.log({ loss: 0 });',
    ].join('\n'),
  );
  const { finished, logged } = start(p, payload({ lr: 0.5 }));
  assert.deepEqual(await finished, { aborted: false });
  assert.deepEqual(logged, [
    [0, { loss: 0.5 }],
    [5, { loss: 0.25, stop: 0 }],
    [6, { loss: 0 }],
  ]);
});

test("on a GPU slot the program sees only its slot's GPU; its environment names the run", async () => {
  const p = program(
    'env.sh',
    'echo "{\\"type\\":\\"log\\",\\"values\\":{\\"gpu\\":$CUDA_VISIBLE_DEVICES,\\"attempt\\":$SWEEPLAB_ATTEMPT}}" >&3',
  );
  const { finished, logged } = start(p, payload({}), 30_000, '3');
  assert.deepEqual(await finished, { aborted: false });
  assert.deepEqual(logged, [[0, { gpu: 3, attempt: 1 }]]);
});

test('a non-zero exit fails the run, permanently, with the code and the end of stderr', async () => {
  const p = program('fail.js', 'console.error("x".repeat(5000) + "the real reason"); process.exit(3);');
  const { finished } = start(p, payload({}));
  await assert.rejects(finished, (err: unknown) => {
    assert.ok(err instanceof TrainingChildError);
    assert.equal(err.permanent, 'program-failed');
    assert.match(err.message, /^program fail\.js exited with code 3; stderr \(last 4 KiB\):\n/);
    assert.match(err.message, /the real reason\n$/);
    assert.ok(err.message.length < 4200, 'only the tail is kept');
    return true;
  });
});

test('a line that is not the protocol fails the run naming the line', async () => {
  const p = program(
    'bad.sh',
    'echo \'{"type":"log","values":{"loss":1}}\' >&3\necho \'{"type":"log","values":{"loss":"x"}}\' >&3\nsleep 5',
  );
  const { finished } = start(p, payload({}));
  await assert.rejects(finished, /report line 2: values\.loss: /);
});

test('stop: should_stop() turns true and SIGTERM arrives; a program that ignores it is SIGKILLed after the grace', async () => {
  const polite = program(
    'polite.py',
    [
      'import signal, sys, time, sweeplab',
      'def on_term(*_):',
      '    sweeplab.log({"stopped": 1 if sweeplab.should_stop() else 0})',
      '    sys.exit(0)',
      'signal.signal(signal.SIGTERM, on_term)',
      'sweeplab.log({"loss": 1.0})',
      'time.sleep(30)',
    ].join('\n'),
  );
  const a = start(polite, payload({}));
  while (a.logged.length === 0) await new Promise((r) => setTimeout(r, 20));
  a.run.abort('cancelled');
  assert.deepEqual(await a.finished, { aborted: true });
  assert.deepEqual(a.logged.at(-1), [1, { stopped: 1 }], 'the program saw should_stop() true on SIGTERM');

  const stubborn = program(
    'stubborn.sh',
    'trap "" TERM\necho \'{"type":"log","values":{"loss":1}}\' >&3\nwhile true; do sleep 0.1; done',
  );
  const b = start(stubborn, payload({}), 400);
  while (b.logged.length === 0) await new Promise((r) => setTimeout(r, 20));
  const t0 = Date.now();
  b.run.abort('cancelled');
  assert.deepEqual(await b.finished, { aborted: true });
  assert.ok(Date.now() - t0 >= 400, `killed after the grace, not before (${Date.now() - t0} ms)`);
  const groupAlive = () => {
    try {
      process.kill(-b.pid(), 0);
      return true;
    } catch {
      return false;
    }
  };
  // The killed grandchildren (sleep) are reaped by init a moment later: wait for that, not for luck.
  for (let i = 0; i < 100 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(groupAlive(), false, 'the whole process group is gone');
});
