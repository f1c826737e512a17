import type { SweeplabApi } from '../api-client.ts';

/** What every command gets: the API, where to write, and the options common to all. */
export interface CommandContext {
  api: SweeplabApi;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
  /** --json: machine-readable output for listings. */
  json: boolean;
}

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.out.write(`${JSON.stringify(value, null, 2)}\n`);
}
