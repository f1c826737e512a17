import { table } from '../format.ts';
import { type CommandContext, printJson } from './context.ts';

const PAGE = 100_000;

/** The metrics table of a sweep (every run × epoch), paged through in full: CSV, JSON or a table. */
export async function metrics(ctx: CommandContext, sweepId: string, options: { csv: boolean }) {
  if (options.csv) {
    for (let offset = 0; ; offset += PAGE) {
      const { data, response } = await ctx.api.call(
        ctx.api.client.GET('/v1/metrics', {
          params: { query: { sweep_id: sweepId, format: 'csv', limit: PAGE, offset } },
          parseAs: 'text',
        }),
      );
      const text = data as string;
      // The header line once, from the first page.
      ctx.out.write(offset === 0 ? text : text.slice(text.indexOf('\n') + 1));
      if (offset + PAGE >= Number(response.headers.get('x-total-count') ?? 0)) return;
    }
  }
  const rows = [];
  for (let offset = 0; ; offset += PAGE) {
    const { data } = await ctx.api.call(
      ctx.api.client.GET('/v1/metrics', { params: { query: { sweep_id: sweepId, limit: PAGE, offset } } }),
    );
    if (typeof data === 'string') break;
    rows.push(...data.rows);
    if (offset + PAGE >= data.total) break;
  }
  if (ctx.json) return printJson(ctx, { total: rows.length, rows });
  ctx.out.write(
    `${table(
      ['run', 'model', 'lr', 'seed', 'epoch', 'train_loss', 'val_loss', 'val_acc'],
      rows.map((r) => [
        r.run_id,
        r.model,
        r.lr,
        r.seed,
        r.epoch,
        r.train_loss.toFixed(4),
        r.val_loss.toFixed(4),
        r.val_acc.toFixed(4),
      ]),
    )}\n`,
  );
}
