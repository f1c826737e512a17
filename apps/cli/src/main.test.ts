import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { ApiUnreachableError, CliError, EXIT, UsageError } from './errors.ts';
import { main } from './main.ts';

function streams() {
  let stdout = '';
  let stderr = '';
  const out = {
    write(c: string) {
      stdout += c;
      return true;
    },
  };
  const err = {
    write(c: string) {
      stderr += c;
      return true;
    },
  };
  return {
    out: out as unknown as NodeJS.WriteStream,
    err: err as unknown as NodeJS.WriteStream,
    text: () => ({ stdout, stderr }),
  };
}

/** A port nothing listens on: bound by the system, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function exitOf(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; message: string }> {
  const s = streams();
  try {
    return { code: await main(argv, env, s.out, s.err), message: s.text().stderr };
  } catch (e) {
    if (e instanceof CliError) return { code: e.code, message: e.message };
    throw e;
  }
}

test('usage errors exit 2 and say what is wrong', async () => {
  const cases: [string[], RegExp][] = [
    [[], /Usage: sweeplab <command>/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['runs', 'extra'], /runs takes no argument/],
    [['run'], /run takes 1 argument/],
    [['runs', '--csv'], /runs does not take --csv/],
    [['runs', '--bogus'], /Unknown option '--bogus'/],
    [['report', 'swp_x', '--format', 'pdf'], /--format must be one of json, md, csv, html/],
    [['report', 'swp_x', '--open'], /--open needs --out/],
    [['metrics'], /metrics needs --sweep/],
    [['watch', 'swp_x', '--interval', '0'], /--interval must be a whole number/],
    [['cancel', 'job_1'], /cancel takes a run id \(run_…\) or a sweep id \(swp_…\)/],
    [['runs', '--api-url', 'localhost:8080'], /API URL must start with http/],
  ];
  for (const [argv, message] of cases) {
    const { code, message: text } = await exitOf(argv, { API_URL: 'http://127.0.0.1:9' });
    assert.equal(code, EXIT.usage, argv.join(' '));
    assert.match(text, message, argv.join(' '));
  }
  assert.ok(new UsageError('x').message.includes('sweeplab help'));
});

test('help exits 0 and lists every command', async () => {
  const s = streams();
  assert.equal(await main(['help'], {}, s.out, s.err), EXIT.ok);
  for (const command of [
    'sweep',
    'watch',
    'sweeps',
    'runs',
    'run',
    'cancel',
    'report',
    'workers',
    'metrics',
  ]) {
    assert.match(s.text().stdout, new RegExp(`^  ${command}\\b`, 'm'));
  }
});

test('an API that does not answer exits 3 naming the URL (API_URL, then --api-url)', async () => {
  const [a, b] = [await closedPort(), await closedPort()];
  const r = await exitOf(['workers'], { API_URL: `http://127.0.0.1:${a}` });
  assert.equal(r.code, EXIT.unreachable);
  assert.match(r.message, new RegExp(`cannot reach the API at http://127\\.0\\.0\\.1:${a}: .*ECONNREFUSED`));
  const flag = await exitOf(['workers', '--api-url', `http://127.0.0.1:${b}/`], {
    API_URL: `http://127.0.0.1:${a}`,
  });
  assert.equal(flag.code, EXIT.unreachable);
  assert.match(flag.message, new RegExp(`at http://127\\.0\\.0\\.1:${b}:`));
  assert.equal(new ApiUnreachableError('http://x', new Error('e')).code, EXIT.unreachable);
});
