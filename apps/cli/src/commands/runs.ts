import type { components } from '../api-schema.ts';
import { duration, fixed, table } from '../format.ts';
import { stateLabel } from '../sweep-progress.ts';
import { type CommandContext, printJson } from './context.ts';

type RunStatus = components['schemas']['Run']['status'];

export async function listRuns(ctx: CommandContext, filter: { sweep?: string; status?: string }) {
  const { data } = await ctx.api.call(
    ctx.api.client.GET('/v1/runs', {
      params: {
        query: {
          ...(filter.sweep ? { sweep_id: filter.sweep } : {}),
          // The API names the valid statuses when this one is not.
          ...(filter.status ? { status: filter.status as RunStatus } : {}),
        },
      },
    }),
  );
  if (ctx.json) return printJson(ctx, data);
  ctx.out.write(
    `${table(
      ['id', 'sweep', 'model', 'lr', 'seed', 'epochs', 'status', 'worker', 'queued'],
      data.runs.map((r) => [
        r.id,
        r.sweep_id,
        r.model,
        r.lr,
        r.seed,
        r.epochs,
        stateLabel(r.status),
        r.worker,
        r.queued_at,
      ]),
    )}\n`,
  );
}

export async function showRun(ctx: CommandContext, id: string) {
  const { data: run } = await ctx.api.call(ctx.api.client.GET('/v1/runs/{id}', { params: { path: { id } } }));
  if (ctx.json) return printJson(ctx, run);
  const facts: [string, unknown][] = [
    ['id', run.id],
    ['sweep', run.sweep_id],
    ['status', stateLabel(run.status)],
    ['model / dataset', `${run.model} / ${run.dataset}`],
    ['lr / batch / momentum / seed', `${run.lr} / ${run.batch_size} / ${run.momentum} / ${run.seed}`],
    ['epochs', `${run.metrics.length}/${run.epochs}`],
    ['attempt / worker', `${run.attempt} / ${run.worker ?? '-'}`],
    ['backend', [run.backend, run.tfjs_version, run.device].filter(Boolean).join(' ') || '-'],
    [
      'queued / started / finished',
      `${run.queued_at} / ${run.started_at ?? '-'} / ${run.finished_at ?? '-'}`,
    ],
  ];
  if (run.error) facts.push(['error', run.error]);
  const width = Math.max(...facts.map(([k]) => k.length));
  for (const [k, v] of facts) ctx.out.write(`${k.padEnd(width)}  ${v ?? '-'}\n`);
  if (run.metrics.length > 0) {
    ctx.out.write(
      `\n${table(
        ['epoch', 'train_loss', 'train_acc', 'val_loss', 'val_acc', 'seconds', 'images/s'],
        run.metrics.map((m) => [
          m.epoch,
          fixed(m.train_loss),
          fixed(m.train_acc),
          fixed(m.val_loss),
          fixed(m.val_acc),
          duration(m.epoch_seconds),
          Math.round(m.images_per_second),
        ]),
      )}\n`,
    );
  }
}
