import { EXIT } from '../errors.ts';
import { PlainProgressView, type ProgressView, TtyProgressView } from '../progress-view.ts';
import { SweepFollower } from '../sweep-progress.ts';
import type { CommandContext } from './context.ts';

/**
 * Follows a sweep until every run has finished, then prints the comparison report. Ctrl-C stops
 * watching only: the sweep keeps running on the workers.
 */
export async function watchSweep(
  ctx: CommandContext,
  sweepId: string,
  options: { intervalMs: number },
): Promise<number> {
  const follower = new SweepFollower(ctx.api, sweepId);
  const view: ProgressView = ctx.out.isTTY ? new TtyProgressView(ctx.out) : new PlainProgressView(ctx.out);
  let interrupted = false;
  let wake: (() => void) | undefined;
  const onSigint = () => {
    interrupted = true;
    wake?.();
  };
  process.on('SIGINT', onSigint);
  try {
    for (;;) {
      const progress = await follower.poll();
      view.update(progress);
      if (progress.finished) {
        view.close();
        const { data: report } = await ctx.api.call(
          ctx.api.client.GET('/v1/sweeps/{id}/report', {
            params: { path: { id: sweepId }, query: { format: 'md' } },
            parseAs: 'text',
          }),
        );
        ctx.out.write(`\n${report as string}`);
        if (progress.failed > 0) {
          ctx.err.write(`${progress.failed} run(s) of ${sweepId} failed; see "Runs not in the statistics"\n`);
          return EXIT.failed;
        }
        return EXIT.ok;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.intervalMs);
      });
      if (interrupted) {
        view.close();
        ctx.err.write(
          `\nStopped watching. Sweep ${sweepId} keeps running on the workers: \`sweeplab watch ${sweepId}\` follows it again, \`sweeplab cancel ${sweepId}\` stops it.\n`,
        );
        return EXIT.interrupted;
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}
