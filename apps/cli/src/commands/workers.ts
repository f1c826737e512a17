import { table } from '../format.ts';
import { type CommandContext, printJson } from './context.ts';

export async function listWorkers(ctx: CommandContext) {
  const { data } = await ctx.api.call(ctx.api.client.GET('/v1/workers'));
  if (ctx.json) return printJson(ctx, data);
  if (data.workers.length === 0) {
    ctx.err.write('no live worker (start one with `npm run worker`)\n');
    return;
  }
  const now = Date.now();
  ctx.out.write(
    `${table(
      ['worker', 'host', 'pid', 'slots', 'backend', 'programs', 'running', 'images/s', 'last seen'],
      data.workers.map((w) => [
        w.worker_id,
        w.host,
        w.pid,
        w.slots.join(','),
        w.backend,
        w.programs.join(','),
        w.running_runs.join(',') || '-',
        Math.round(w.images_per_second),
        `${Math.round((now - w.last_heartbeat) / 1000)} s ago`,
      ]),
    )}\n`,
  );
}
