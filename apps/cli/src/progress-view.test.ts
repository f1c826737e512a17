import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlainProgressView, TtyProgressView } from './progress-view.ts';
import type { RunProgress, SweepProgress } from './sweep-progress.ts';

const ESC = '\x1b';

function run(id: string, over: Partial<RunProgress> = {}): RunProgress {
  return {
    id,
    label: 'resnet lr=0.1 seed=0',
    status: 'running',
    epoch: 2,
    epochs: 10,
    valAcc: 0.9712,
    etaSeconds: 96,
    error: null,
    ...over,
  };
}

function sweep(runs: RunProgress[], finished = false, searchEnded: string | null = null): SweepProgress {
  return { id: 'swp_aaaaaaaaaaaaaaaaaa', name: 'demo', runs, finished, failed: 0, searchEnded };
}

/** Collects what is written, synchronously, like a terminal of `columns` cells (or a pipe). */
function sink(columns?: number, rows = 40) {
  let text = '';
  const stream = {
    columns,
    rows,
    isTTY: columns !== undefined,
    write(chunk: string) {
      text += chunk;
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

test('a terminal gets one bar per run, redrawn in place, never wider than the terminal', () => {
  const t = sink(90);
  const view = new TtyProgressView(t.stream);
  const runs = [
    run('run_aaaaaaaaaaaaaaaaaa'),
    run('run_bbbbbbbbbbbbbbbbbb', { status: 'stopped', etaSeconds: 0 }),
  ];
  view.update(sweep(runs));
  view.update(sweep([run('run_aaaaaaaaaaaaaaaaaa', { epoch: 3 }), runs[1]!]));
  view.close();
  const out = t.text();
  assert.ok(out.startsWith(`${ESC}[?25l`), 'cursor hidden');
  assert.ok(out.includes(`${ESC}[3F`), 'second frame moves up over the first (summary + 2 runs)');
  assert.ok(out.endsWith(`${ESC}[?25h`), 'cursor shown again');
  const lines = out.split('\n').map((l) => l.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), ''));
  for (const line of lines) assert.ok(line.length < 90, `fits: ${line}`);
  assert.ok(
    lines.some((l) =>
      /run_aaaaaaaaaaaaaaaaaa .*\[#+\.+\] +3\/10 +val_acc 0\.9712 +running +ETA 1:36/.test(l),
    ),
  );
  assert.ok(lines.some((l) => /run_bbbbbbbbbbbbbbbbbb .* stopped early +ETA 0:00/.test(l)));
  assert.ok(lines.some((l) => l.startsWith('demo (swp_aaaaaaaaaaaaaaaaaa): 1/2 runs finished, ETA 1:36')));
});

test('a pipe gets one plain line per change of epoch or state, and the error of a failed run', () => {
  const pipe = sink();
  const view = new PlainProgressView(pipe.stream);
  view.update(sweep([run('run_a', { epoch: 1 })]));
  view.update(sweep([run('run_a', { epoch: 1 })]));
  view.update(sweep([run('run_a', { epoch: 2, status: 'failed', error: 'boom' })]));
  assert.equal(
    pipe.text(),
    'run_a resnet lr=0.1 seed=0 epoch 1/10 val_acc=0.9712 state=running eta=1:36\n' +
      'run_a resnet lr=0.1 seed=0 epoch 2/10 val_acc=0.9712 state=failed eta=1:36 error="boom"\n',
  );
});

test('more runs than terminal rows: running runs first, the rest counted on one line', () => {
  const t = sink(120, 6);
  const view = new TtyProgressView(t.stream);
  const runs = [
    ...Array.from({ length: 5 }, (_, i) =>
      run(`run_done${i}`, { status: 'completed', epoch: 10, etaSeconds: 0 }),
    ),
    run('run_live0'),
    ...Array.from({ length: 3 }, (_, i) =>
      run(`run_wait${i}`, { status: 'queued', epoch: 0, etaSeconds: null }),
    ),
  ];
  view.update(sweep(runs));
  const lines = t.text().split('\n').filter(Boolean);
  assert.equal(lines.length, 1 + 3 + 1, 'summary, 3 runs, the count: within 6 rows');
  assert.match(lines[1]!, /run_live0/);
  assert.match(lines[4]!, /… 6 more: 3 completed, 3 queued$/);
});

test('a search that ended before its cap says why: in the frame (cut to the width) and whole on close, once in a pipe', () => {
  const reason = `search stopped: proposal 3 is not a valid run: body.parameters.epochs: must be at most 10 (MAX_EPOCHS)${' and more'.repeat(10)}`;
  const t = sink(60);
  const view = new TtyProgressView(t.stream);
  view.update(sweep([run('run_aaaaaaaaaaaaaaaaaa')], true, reason));
  view.close();
  const lines = t
    .text()
    .split('\n')
    .map((l) => l.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), ''));
  assert.ok(
    lines.some((l) => l === reason.slice(0, 59)),
    'cut to the terminal in the frame',
  );
  assert.ok(lines.includes(reason), 'whole after the frame');

  const p = sink();
  const plain = new PlainProgressView(p.stream);
  plain.update(sweep([run('run_aaaaaaaaaaaaaaaaaa')], false, reason));
  plain.update(sweep([run('run_aaaaaaaaaaaaaaaaaa', { epoch: 3 })], true, reason));
  assert.equal(
    p
      .text()
      .split('\n')
      .filter((l) => l === `swp_aaaaaaaaaaaaaaaaaa ${reason}`).length,
    1,
  );
});
