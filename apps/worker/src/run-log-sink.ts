import { type RedisKeys, RUN_LOG_MAX_LINE_BYTES, RUN_LOG_MAX_LINES } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

/**
 * A program run's stdout and stderr, line by line, into a capped Redis stream the API reads
 * (GET /v1/runs/:id/logs). Lines are batched (every 200 ms, or 200 lines) so a chatty program costs a
 * round trip per batch, not per line; a partial last line is written when the stream ends.
 */
export class RunLogSink {
  private pending: [string, string][] = [];
  private partial: Record<'o' | 'e', string> = { o: '', e: '' };
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly runId: string,
    private readonly attempt: number,
    private readonly ttlMs: number,
  ) {}

  write(stream: 'o' | 'e', chunk: Buffer): void {
    const lines = (this.partial[stream] + chunk.toString('utf8')).split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.add(stream, line);
  }

  private add(stream: 'o' | 'e', line: string): void {
    const cut =
      Buffer.byteLength(line) > RUN_LOG_MAX_LINE_BYTES
        ? `${Buffer.from(line).subarray(0, RUN_LOG_MAX_LINE_BYTES).toString('utf8')} [line cut at ${RUN_LOG_MAX_LINE_BYTES} bytes]`
        : line;
    this.pending.push([stream, cut]);
    if (this.pending.length >= 200) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 200);
  }

  /** Writes what is pending; the worker awaits it when the program has ended. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    const key = this.keys.runLogs(this.runId);
    this.flushing = this.flushing.then(async () => {
      const pipeline = this.redis.pipeline();
      for (const [stream, line] of batch) {
        pipeline.xadd(key, 'MAXLEN', '~', RUN_LOG_MAX_LINES, '*', 's', stream, 'a', this.attempt, 'l', line);
      }
      pipeline.pexpire(key, this.ttlMs);
      // Logs are for people: losing a batch to a Redis hiccup must not fail the run.
      await pipeline.exec().catch(() => {});
    });
    return this.flushing;
  }

  /** The stream ended: its unterminated last lines are lines too. */
  async close(): Promise<void> {
    for (const stream of ['o', 'e'] as const) {
      if (this.partial[stream] !== '') this.add(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
    await this.flush();
  }
}
