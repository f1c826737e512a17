import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ReportFormat } from '@sweeplab/report/report-formats';
import type { CommandContext } from './context.ts';

/** Prints the sweep's comparison report, or writes it to --out; --open shows the file in a browser. */
export async function report(
  ctx: CommandContext,
  sweepId: string,
  options: { format: ReportFormat; out?: string | undefined; open: boolean },
) {
  const { data } = await ctx.api.call(
    ctx.api.client.GET('/v1/sweeps/{id}/report', {
      params: { path: { id: sweepId }, query: { format: options.format } },
      parseAs: 'text',
    }),
  );
  const text = data as string;
  if (!options.out) {
    ctx.out.write(text);
    return;
  }
  const path = resolve(options.out);
  writeFileSync(path, text);
  ctx.err.write(`wrote ${path}\n`);
  if (options.open) {
    // BROWSER as most terminal tools honour it; xdg-open elsewhere. Detached: the CLI does not wait.
    const opener = process.env.BROWSER || (process.platform === 'darwin' ? 'open' : 'xdg-open');
    const child = spawn(opener, [path], { detached: true, stdio: 'ignore' });
    child.on('error', (err) => ctx.err.write(`could not open ${path} with ${opener}: ${err.message}\n`));
    child.unref();
  }
}
