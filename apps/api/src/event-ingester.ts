import { type ApplyRunEventsResult, applyRunEvents, type Db } from '@sweeplab/db';
import { type Logger, type RedisKeys, RunEvent } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

export interface IngesterOptions {
  /** Entries per read, committed in one transaction. */
  batchSize: number;
  /** How long one read waits for new entries. */
  blockMs: number;
  /** Another consumer's unacknowledged entry idle this long is taken over (its reader died). */
  claimIdleMs: number;
  /** How often to look for such entries. */
  claimEveryMs: number;
}

export interface IngesterStats {
  eventsRead: number;
  applied: number;
  fenced: number;
  unknown: number;
  invalid: number;
  batches: number;
  /** Milliseconds between the newest event's creation and its commit, for the last batch. */
  lastLagMs: number;
}

type StreamReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * Reads run events from the Redis stream through a consumer group and commits them to SQLite, one
 * transaction per batch, acknowledging only after the commit. After a crash the group's pending
 * entries are read again first; applying them twice is harmless (epoch rows are upserts, status
 * moves are compare-and-set, and superseded attempts are fenced off).
 */
export class EventIngester {
  readonly stats: IngesterStats = {
    eventsRead: 0,
    applied: 0,
    fenced: 0,
    unknown: 0,
    invalid: 0,
    batches: 0,
    lastLagMs: 0,
  };
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly db: Db,
    private readonly keys: RedisKeys,
    private readonly consumer: string,
    private readonly options: IngesterOptions,
    private readonly logger: Logger,
    private readonly onApplied: (events: RunEvent[], result: ApplyRunEventsResult) => void = () => {},
  ) {}

  async start(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.keys.events, this.keys.eventsGroup, '0', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Reads and commits until nothing is pending or new; for tests and shutdown. */
  async drain(): Promise<void> {
    while ((await this.readBatch('0')) > 0) {}
    while ((await this.readBatch('claim')) > 0) {}
    while ((await this.readBatch('>', false)) > 0) {}
  }

  private async run(): Promise<void> {
    let backlog = true;
    let nextClaim = 0;
    while (this.running) {
      try {
        // Our own pending entries (read before a crash, never acknowledged) come first.
        if (backlog) backlog = (await this.readBatch('0')) > 0;
        else if (Date.now() >= nextClaim) {
          // Then, now and then, entries another consumer read and never acknowledged: an API that
          // died (its replacement may run under another name, e.g. a new container hostname).
          if ((await this.readBatch('claim')) === 0) nextClaim = Date.now() + this.options.claimEveryMs;
        } else await this.readBatch('>');
      } catch (err) {
        this.logger.warn({ err }, 'ingest batch failed; retrying');
        backlog = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async fetch(from: '0' | '>' | 'claim', block: boolean): Promise<[string, string[]][]> {
    if (from === 'claim') {
      const reply = (await this.redis.call(
        'XAUTOCLAIM',
        this.keys.events,
        this.keys.eventsGroup,
        this.consumer,
        this.options.claimIdleMs,
        '0-0',
        'COUNT',
        this.options.batchSize,
      )) as [string, [string, string[]][]];
      return reply[1].filter((entry) => entry !== null && Array.isArray(entry[1]));
    }
    const args: (string | number)[] = [
      'GROUP',
      this.keys.eventsGroup,
      this.consumer,
      'COUNT',
      this.options.batchSize,
    ];
    if (from === '>' && block) args.push('BLOCK', this.options.blockMs);
    args.push('STREAMS', this.keys.events, from);
    const reply = (await this.redis.call('XREADGROUP', ...args)) as StreamReply;
    return reply?.[0]?.[1] ?? [];
  }

  private async readBatch(from: '0' | '>' | 'claim', block = true): Promise<number> {
    const entries = await this.fetch(from, block);
    if (entries.length === 0) return 0;

    const events: RunEvent[] = [];
    const ids: string[] = [];
    for (const [id, fields] of entries) {
      ids.push(id);
      const raw = fields[fields.indexOf('e') + 1];
      let parsed: ReturnType<typeof RunEvent.safeParse> | null = null;
      try {
        parsed = RunEvent.safeParse(JSON.parse(raw ?? ''));
      } catch {
        parsed = null;
      }
      if (parsed?.success) events.push(parsed.data);
      else {
        // A malformed entry can never become valid: count it, log it, acknowledge it.
        this.stats.invalid++;
        this.logger.error({ streamId: id, entry: raw?.slice(0, 500) }, 'dropping malformed run event');
      }
    }
    const result = applyRunEvents(this.db, events);
    await this.redis.xack(this.keys.events, this.keys.eventsGroup, ...ids);
    const s = this.stats;
    s.eventsRead += entries.length;
    s.applied += result.applied;
    s.fenced += result.fenced;
    s.unknown += result.unknown;
    s.batches++;
    const newest = events.reduce((m, e) => Math.max(m, e.at), 0);
    if (newest > 0) s.lastLagMs = Math.max(0, Date.now() - newest);
    if (result.fenced > 0)
      this.logger.info({ fenced: result.fenced }, 'ignored events from superseded attempts');
    this.onApplied(events, result);
    return entries.length;
  }
}
