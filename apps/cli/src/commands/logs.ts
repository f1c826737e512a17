import type { CommandContext } from './context.ts';

/**
 * `sweeplab logs <run> [-f]`: a program run's stdout and stderr (stderr lines prefixed `stderr| `);
 * with --follow, long-polls for new lines until the run has ended and nothing is left.
 */
export async function logs(ctx: CommandContext, runId: string, options: { follow: boolean }): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const { data } = await ctx.api.call(
      ctx.api.client.GET('/v1/runs/{id}/logs', {
        params: {
          path: { id: runId },
          query: { ...(after ? { after } : {}), ...(options.follow ? { wait_ms: 5000 } : {}), limit: 1000 },
        },
      }),
    );
    for (const l of data.lines) {
      if (ctx.json) ctx.out.write(`${JSON.stringify(l)}\n`);
      else ctx.out.write(`${l.stream === 'stderr' ? 'stderr| ' : ''}${l.line}\n`);
    }
    after = data.next ?? undefined;
    const ended = !['queued', 'running'].includes(data.status);
    if (!options.follow || (ended && data.lines.length === 0)) return;
  }
}
