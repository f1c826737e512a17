import { table } from '../format.ts';
import { type CommandContext, printJson } from './context.ts';

export async function listSweeps(ctx: CommandContext) {
  const { data } = await ctx.api.call(ctx.api.client.GET('/v1/sweeps'));
  if (ctx.json) return printJson(ctx, data);
  ctx.out.write(
    `${table(
      ['id', 'name', 'method', 'runs', 'queued', 'running', 'completed', 'failed', 'created'],
      data.sweeps.map((s) => [
        s.id,
        s.name,
        s.method,
        s.total_runs,
        s.counts.queued,
        s.counts.running,
        s.counts.completed,
        s.counts.failed,
        s.created_at,
      ]),
    )}\n`,
  );
}
