import { table } from '../format.ts';
import { type CommandContext, printJson } from './context.ts';

export async function listSweeps(ctx: CommandContext) {
  const { data } = await ctx.api.call(ctx.api.client.GET('/v1/sweeps'));
  if (ctx.json) return printJson(ctx, data);
  ctx.out.write(
    `${table(
      ['id', 'name', 'method', 'runs', 'queued', 'running', 'completed', 'failed', 'search', 'created'],
      data.sweeps.map((s) => [
        s.id,
        s.name,
        s.method,
        s.total_runs,
        s.counts.queued,
        s.counts.running,
        s.counts.completed,
        s.counts.failed,
        s.search?.status ?? '-',
        s.created_at,
      ]),
    )}\n`,
  );
  // A search that ended before its run_cap says why, below the table (a reason is longer than a cell).
  for (const s of data.sweeps) {
    if (s.search?.reason) ctx.out.write(`${s.id}: search ${s.search.status}: ${s.search.reason}\n`);
  }
}
