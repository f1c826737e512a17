import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

// `npm run bench:queue` once printed its table and then never exited: BullMQ does not close a
// connection it is given, and the benchmark never quit the one it gave its queue.
test('bench:queue exits on its own after printing its table, on a prefix of its own', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'apps/api/scripts/bench-queue.ts'),
      ...['--trials', '4', '--workers', '1', '--concurrency', '2', '--epoch-ms', '100'],
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  let printedAt = 0;
  child.stdout.on('data', () => {
    if (!printedAt && output.includes('load average') && output.includes('at the end'))
      printedAt = Date.now();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, output);
  assert.match(output, /trials completed\s+\|\s+4\/4/);
  assert.match(output, /key prefix sweeplab-test:bench-queue:[0-9a-f]+ \(its own/);
  assert.ok(printedAt > 0, 'the table was printed');
  assert.ok(Date.now() - printedAt < 30_000, `exited ${Date.now() - printedAt} ms after printing`);
});
