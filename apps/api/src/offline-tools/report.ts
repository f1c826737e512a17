// `npm run report -- <sweep-id> [--format md|html|csv|json] [--out file] [--database path]`:
// the sweep report straight from the SQLite file, no API or Redis needed. Without an id it lists
// the sweeps in the database.
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { closeDatabase, type Db, listSweeps, openDatabase } from '@sweeplab/db';
import { REPORT_FORMATS, renderReport } from '@sweeplab/report';
import { resolveUserPath } from '@sweeplab/shared';
import { z } from 'zod';
import { loadReportInput } from '../load-report-input.ts';
import { SweepIdParams } from '../routes/sweep-routes.ts';

const USAGE = `usage: npm run report -- [<sweep-id>] [--format md|html|csv|json] [--out <file>] [--database <path>]

Prints the comparison report of a sweep (markdown by default) from the metrics database.
Without a sweep id, lists the sweeps. The database is --database, else DATABASE_PATH, else
./data/orchestrator.db; a relative path is taken from the folder you ran npm in.`;

class UsageError extends Error {}

const Options = z.object({
  sweepId: SweepIdParams.shape.id.optional(),
  format: z.enum(REPORT_FORMATS).default('md'),
  out: z.string().min(1).optional(),
  database: z.string().min(1),
});

function parseOptions(argv: string[]): z.infer<typeof Options> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        out: { type: 'string', short: 'o' },
        database: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (parsed.positionals.length > 1) {
    throw new UsageError(`expected at most one sweep id, got ${parsed.positionals.join(' ')}`);
  }
  const result = Options.safeParse({
    sweepId: parsed.positionals[0],
    format: parsed.values.format,
    out: parsed.values.out,
    database: resolveUserPath(
      (parsed.values.database as string | undefined) ?? process.env.DATABASE_PATH ?? './data/orchestrator.db',
    ),
  });
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const field = String(i.path[0]);
      const got = field === 'sweepId' ? parsed.positionals[0] : parsed.values[field];
      return `${field === 'sweepId' ? 'sweep id' : `--${field}`} ${JSON.stringify(got)}: ${i.message}`;
    });
    throw new UsageError(issues.join('; '));
  }
  return result.data;
}

function listSweepsText(db: Db, database: string): string {
  const sweeps = listSweeps(db);
  if (sweeps.length === 0) return `no sweeps in ${database}\n`;
  const lines = sweeps.map((s) => {
    const c = s.counts;
    const progress = `${c.completed}/${s.total_runs} completed${c.running ? `, ${c.running} running` : ''}${c.queued ? `, ${c.queued} queued` : ''}${c.failed ? `, ${c.failed} failed` : ''}${c.cancelled ? `, ${c.cancelled} cancelled` : ''}`;
    return `${s.id}  ${s.created_at}  ${s.name}  (${progress})`;
  });
  return `sweeps in ${database}:\n${lines.join('\n')}\n\nnpm run report -- <sweep-id> [--format md|html|csv|json] [--out file]\n`;
}

function main(): number {
  let options: z.infer<typeof Options>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`report: ${err.message}\n\n${USAGE}`);
    return 1;
  }
  // openDatabase would create an empty file (and folders): a mistyped path must not look like "no sweeps".
  if (!existsSync(options.database)) {
    console.error(
      `report: no database at ${options.database} (set DATABASE_PATH or --database; the API creates it on start)`,
    );
    return 1;
  }
  const db = openDatabase(options.database);
  try {
    if (!options.sweepId) {
      process.stdout.write(listSweepsText(db, options.database));
      return 0;
    }
    const input = loadReportInput(db, options.sweepId);
    if (!input) {
      console.error(
        `report: sweep ${options.sweepId} not found in ${options.database}; run without an id to list the sweeps`,
      );
      return 1;
    }
    const { body } = renderReport(input, options.format);
    if (options.out) {
      const out = resolveUserPath(options.out);
      writeFileSync(out, body);
      console.error(`report: wrote ${options.format} report of ${options.sweepId} to ${out}`);
    } else {
      process.stdout.write(body);
    }
    return 0;
  } finally {
    closeDatabase(db);
  }
}

process.exitCode = main();
