import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { UsageError } from '../errors.ts';
import { type CommandContext, printJson } from './context.ts';

/**
 * Submits a sweep file as it is (YAML or JSON: the API parses and validates it, so its field errors
 * name the file's own keys) and prints the id, the dashboard URL and any warnings. Returns the sweep id.
 */
export async function submitSweep(ctx: CommandContext, file: string): Promise<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const ext = extname(file).toLowerCase();
  const contentType =
    ext === '.json' ? 'application/json' : ext === '.yaml' || ext === '.yml' ? 'application/yaml' : null;
  if (!contentType) throw new UsageError(`${file}: a sweep file ends in .yaml, .yml or .json`);
  const { data: sweep } = await ctx.api.call(
    ctx.api.client.POST('/v1/sweeps', {
      // The file's text goes as it is; the document's body type is the parsed config.
      body: text as never,
      bodySerializer: (body: unknown) => body as string,
      headers: { 'content-type': contentType },
    }),
  );
  if (ctx.json) {
    printJson(ctx, { ...sweep, dashboard_url: ctx.api.dashboardUrl(sweep.id) });
  } else {
    ctx.out.write(`${sweep.id}\n`);
    ctx.err.write(`Sweep "${sweep.name}" queued with ${sweep.runs.length} run(s).\n`);
    ctx.err.write(`Dashboard: ${ctx.api.dashboardUrl(sweep.id)}\n`);
  }
  for (const w of sweep.warnings) ctx.err.write(`warning: ${w}\n`);
  return sweep.id;
}
