import { UsageError } from '../errors.ts';
import { type CommandContext, printJson } from './context.ts';

/** Cancels a run (`run_…`) or every unfinished run of a sweep (`swp_…`). */
export async function cancel(ctx: CommandContext, id: string) {
  if (id.startsWith('run_')) {
    const { data: run } = await ctx.api.call(
      ctx.api.client.DELETE('/v1/runs/{id}', { params: { path: { id } } }),
    );
    if (ctx.json) return printJson(ctx, run);
    ctx.out.write(`${run.id} ${run.status} (kept ${run.metrics.length} finished epoch(s))\n`);
    return;
  }
  if (id.startsWith('swp_')) {
    const { data } = await ctx.api.call(
      ctx.api.client.DELETE('/v1/sweeps/{id}', { params: { path: { id } } }),
    );
    if (ctx.json) return printJson(ctx, data);
    ctx.out.write(`${data.id}: cancelled ${data.cancelled.length} unfinished run(s)\n`);
    return;
  }
  throw new UsageError(`cancel takes a run id (run_…) or a sweep id (swp_…), not "${id}"`);
}
