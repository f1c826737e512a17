import { parseArgs } from 'node:util';
import { isReportFormat, REPORT_FORMATS } from '@sweeplab/report/report-formats';
import { SweeplabApi } from './api-client.ts';
import { cancel } from './commands/cancel.ts';
import type { CommandContext } from './commands/context.ts';
import { logs } from './commands/logs.ts';
import { metrics } from './commands/metrics.ts';
import { report } from './commands/report.ts';
import { listRuns, showRun } from './commands/runs.ts';
import { submitSweep } from './commands/submit-sweep.ts';
import { listSweeps } from './commands/sweeps.ts';
import { watchSweep } from './commands/watch.ts';
import { listWorkers } from './commands/workers.ts';
import { CliError, EXIT, UsageError } from './errors.ts';
import { USAGE } from './usage.ts';

const OPTIONS = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  watch: { type: 'boolean', default: false },
  sweep: { type: 'string' },
  status: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  open: { type: 'boolean', default: false },
  csv: { type: 'boolean', default: false },
  interval: { type: 'string' },
  follow: { type: 'boolean', short: 'f', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Which options each command takes, beyond the common ones; anything else is a usage error. */
const COMMANDS: Record<string, { args: number; options: string[] }> = {
  sweep: { args: 1, options: ['watch', 'interval'] },
  watch: { args: 1, options: ['interval'] },
  sweeps: { args: 0, options: [] },
  runs: { args: 0, options: ['sweep', 'status'] },
  run: { args: 1, options: [] },
  cancel: { args: 1, options: [] },
  report: { args: 1, options: ['format', 'out', 'open'] },
  workers: { args: 0, options: [] },
  metrics: { args: 0, options: ['sweep', 'csv'] },
  logs: { args: 1, options: ['follow'] },
};
const COMMON = ['api-url', 'token', 'json', 'help'];

export async function main(
  argv: string[],
  env: Record<string, string | undefined>,
  out: NodeJS.WriteStream,
  err: NodeJS.WriteStream,
): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || command === undefined || command === 'help') {
    (command === undefined && !values.help ? err : out).write(USAGE);
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  for (const [name, value] of Object.entries(values)) {
    const given = value !== undefined && value !== false;
    if (given && !COMMON.includes(name) && !spec.options.includes(name)) {
      throw new UsageError(`${command} does not take --${name}`);
    }
  }
  if (args.length !== spec.args) {
    throw new UsageError(
      spec.args === 0
        ? `${command} takes no argument (got ${args.join(' ')})`
        : `${command} takes ${spec.args} argument${spec.args > 1 ? 's' : ''}; see \`sweeplab help\``,
    );
  }
  const intervalMs = values.interval === undefined ? 1000 : Number(values.interval);
  if (!Number.isInteger(intervalMs) || intervalMs < 50) {
    throw new UsageError(
      `--interval must be a whole number of milliseconds, at least 50 (got ${values.interval})`,
    );
  }
  const baseUrl = values['api-url'] ?? env.API_URL ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\/[^/]/.test(baseUrl))
    throw new UsageError(`API URL must start with http:// or https:// (got ${baseUrl})`);
  const ctx: CommandContext = {
    api: new SweeplabApi({ baseUrl, token: values.token ?? env.API_TOKEN }),
    out,
    err,
    json: values.json,
  };
  const arg = args[0]!;
  switch (command) {
    case 'sweep': {
      const id = await submitSweep(ctx, arg);
      return values.watch ? watchSweep(ctx, id, { intervalMs }) : EXIT.ok;
    }
    case 'watch':
      return watchSweep(ctx, arg, { intervalMs });
    case 'sweeps':
      await listSweeps(ctx);
      return EXIT.ok;
    case 'runs':
      await listRuns(ctx, { sweep: values.sweep, status: values.status });
      return EXIT.ok;
    case 'run':
      await showRun(ctx, arg);
      return EXIT.ok;
    case 'cancel':
      await cancel(ctx, arg);
      return EXIT.ok;
    case 'report': {
      const format = values.format ?? (values.open ? 'html' : 'md');
      if (!isReportFormat(format)) {
        throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')} (got ${values.format})`);
      }
      if (values.open && !values.out)
        throw new UsageError('--open needs --out <file> to write the report to');
      await report(ctx, arg, { format, out: values.out, open: values.open });
      return EXIT.ok;
    }
    case 'workers':
      await listWorkers(ctx);
      return EXIT.ok;
    case 'logs':
      await logs(ctx, arg, { follow: values.follow });
      return EXIT.ok;
    case 'metrics':
      if (!values.sweep) throw new UsageError('metrics needs --sweep <sweep-id>');
      await metrics(ctx, values.sweep, { csv: values.csv });
      return EXIT.ok;
  }
  throw new UsageError(`unknown command "${command}"`);
}

/** Runs the CLI as a process: prints errors without stacks and exits with the code they carry. */
export async function run(): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2), process.env, process.stdout, process.stderr);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`sweeplab: ${e.message}\n`);
      process.exitCode = e.code;
      return;
    }
    throw e;
  }
}
