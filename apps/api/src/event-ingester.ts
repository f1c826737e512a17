import { type ApplyRunEventsResult, applyRunEvents, type Db } from '@sweeplab/db';
import {
  type Logger,
  type RedisKeys,
  RUN_EVENT_SCHEMA_VERSION,
  type RunArtifactEvent,
  RunEvent,
} from '@sweeplab/shared';
import type { Redis } from 'ioredis';
import type { ArtifactOutcome, ArtifactStore } from './artifact-store.ts';
import { type StreamBacklog, streamBacklog, trimAcknowledged } from './event-stream.ts';

/**
 * What an ingester reads from, writes to and reports to (required), and how (optional, with the
 * defaults below: the API's own configuration defaults, see `apps/api/src/config.ts`). One object,
 * as BullMQ's `Worker` takes its options, so a call names what it sets.
 */
export interface IngesterOptions {
  /** A connection of its own: reads block for `blockMs`. */
  redis: Redis;
  db: Db;
  keys: RedisKeys;
  /** Consumer name in the group; stable across restarts, so its own pending entries are re-read. */
  consumer: string;
  logger: Logger;
  /** Where artifact events are stored; without one they are acknowledged as `not-kept`. */
  artifacts?: ArtifactStore | null;
  /**
   * Called once a batch is committed and acknowledged; `committedAt` is when the commit returned.
   * The API passes its sweep controller's `onEventsCommitted`; benchmarks time commits here too.
   */
  onCommitted?: (events: RunEvent[], result: ApplyRunEventsResult, committedAt: number) => void;
  /** Entries per read, committed in one transaction. Default 500 (`INGEST_BATCH_SIZE`). */
  batchSize?: number;
  /** How long one read waits for new entries. Default 1 s (`INGEST_BLOCK_MS`). */
  blockMs?: number;
  /**
   * Another consumer's unacknowledged entry idle this long is taken over (its reader died).
   * Default 10 s (`INGEST_CLAIM_IDLE_MS`).
   */
  claimIdleMs?: number;
  /** How often to look for such entries. Default 2 s, or `claimIdleMs` when that is shorter. */
  claimEveryMs?: number;
  /** Acknowledged entries kept in the stream (for inspection); older ones are trimmed. Default 10,000. */
  retainAcked?: number;
  /** How often to trim and measure the backlog. Default 5 s. */
  trimEveryMs?: number;
  /** Log a warning while the oldest unacknowledged entry is older than this. Default 60 s. */
  backlogWarnMs?: number;
  /**
   * Why this process may not commit now (its lease on the prefix is lost), or null when it may.
   * Asked before every read and again right before every commit. Default: always may.
   */
  mayCommit?: () => string | null;
}

type Settings = Required<
  Omit<IngesterOptions, 'redis' | 'db' | 'keys' | 'consumer' | 'logger' | 'artifacts'>
>;

function withDefaults(options: IngesterOptions): Settings {
  const claimIdleMs = options.claimIdleMs ?? 10_000;
  return {
    onCommitted: options.onCommitted ?? (() => {}),
    batchSize: options.batchSize ?? 500,
    blockMs: options.blockMs ?? 1_000,
    claimIdleMs,
    claimEveryMs: options.claimEveryMs ?? Math.min(2_000, claimIdleMs),
    retainAcked: options.retainAcked ?? 10_000,
    trimEveryMs: options.trimEveryMs ?? 5_000,
    backlogWarnMs: options.backlogWarnMs ?? 60_000,
    mayCommit: options.mayCommit ?? (() => null),
  };
}

export type DeadLetterReason = 'unknown-run' | 'schema-version' | 'malformed';

export interface IngesterStats {
  eventsRead: number;
  applied: number;
  fenced: number;
  unknown: number;
  invalid: number;
  /** Entries moved to the dead-letter stream instead of applied, by reason. */
  deadLettered: Record<DeadLetterReason, number>;
  batches: number;
  /** Milliseconds between the newest event's creation and its commit, for the last batch. */
  lastLagMs: number;
  /** The stream as last measured (every trimEveryMs); null before the first measurement. */
  backlog: StreamBacklog | null;
  /** Set while ingestion is paused, saying why (lease lost). */
  pausedReason: string | null;
  /** Artifact events by what became of them (stored, duplicate, fenced, superseded, ...). */
  artifacts: Partial<Record<ArtifactOutcome, number>>;
}

type StreamReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;
type Entry = [id: string, fields: string[]];

/** One stream entry that will not be applied: kept, with why, in the dead-letter stream. */
interface Rejected {
  id: string;
  raw: string;
  reason: DeadLetterReason;
  detail: string;
}

/**
 * Reads run events from the Redis stream through a consumer group and commits them to SQLite, one
 * transaction per batch, acknowledging only after the commit. After a crash the group's pending
 * entries are read again first; applying them twice is harmless (epoch rows are upserts, status
 * moves are compare-and-set, and superseded attempts are fenced off).
 *
 * Nothing is acknowledged and dropped: an entry that cannot be applied (a run this database does not
 * know, a schema version this code does not know, malformed JSON) is copied to the dead-letter stream
 * in the same MULTI that acknowledges it. The stream is trimmed only below what the group acknowledged.
 */
export class EventIngester {
  readonly stats: IngesterStats = {
    eventsRead: 0,
    applied: 0,
    fenced: 0,
    unknown: 0,
    invalid: 0,
    deadLettered: { 'unknown-run': 0, 'schema-version': 0, malformed: 0 },
    batches: 0,
    lastLagMs: 0,
    backlog: null,
    pausedReason: null,
    artifacts: {},
  };
  private running = false;
  private loop: Promise<void> | undefined;
  private lastBacklogWarning = 0;
  private maintenance: Promise<StreamBacklog> | undefined;

  private readonly redis: Redis;
  private readonly db: Db;
  private readonly keys: RedisKeys;
  private readonly consumer: string;
  private readonly logger: Logger;
  private readonly artifacts: ArtifactStore | null;
  private readonly options: Settings;

  constructor(options: IngesterOptions) {
    this.redis = options.redis;
    this.db = options.db;
    this.keys = options.keys;
    this.consumer = options.consumer;
    this.logger = options.logger;
    this.artifacts = options.artifacts ?? null;
    this.options = withDefaults(options);
  }

  async start(): Promise<void> {
    await this.artifacts?.init();
    await this.ensureGroup();
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

  /**
   * Measures the stream and trims what the group acknowledged, beyond `retainAcked` entries. Calls
   * overlapping one in flight share it: two trims computed from the same length would remove twice.
   */
  maintainStream(): Promise<StreamBacklog> {
    this.maintenance ??= this.measureAndTrim().finally(() => {
      this.maintenance = undefined;
    });
    return this.maintenance;
  }

  private async measureAndTrim(): Promise<StreamBacklog> {
    if (this.options.mayCommit() == null) {
      // Only the lease holder trims: an API that lost its lease no longer knows what is acknowledged.
      await trimAcknowledged(this.redis, this.keys, this.options.retainAcked);
    }
    const backlog = await streamBacklog(this.redis, this.keys);
    this.stats.backlog = backlog;
    const warnMs = this.options.backlogWarnMs;
    if (
      backlog.oldestUnackedAgeMs !== null &&
      backlog.oldestUnackedAgeMs > warnMs &&
      Date.now() - this.lastBacklogWarning > 60_000
    ) {
      this.lastBacklogWarning = Date.now();
      this.logger.warn(
        {
          oldestUnackedAgeS: Math.round(backlog.oldestUnackedAgeMs / 1000),
          unacked: backlog.unacked,
          streamLength: backlog.length,
          pausedReason: this.stats.pausedReason,
        },
        'run events are waiting to be ingested for longer than INGEST_BACKLOG_WARN_MS',
      );
    }
    return backlog;
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.keys.events, this.keys.eventsGroup, '0', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
  }

  private async run(): Promise<void> {
    let backlog = true;
    let nextClaim = 0;
    let nextMaintenance = 0;
    while (this.running) {
      try {
        if (Date.now() >= nextMaintenance) {
          nextMaintenance = Date.now() + this.options.trimEveryMs;
          await this.maintainStream().catch((err: Error) =>
            this.logger.warn({ err }, 'measuring or trimming the events stream failed'),
          );
        }
        const paused = this.options.mayCommit();
        if (paused !== this.stats.pausedReason) {
          if (paused) this.logger.error({ reason: paused }, 'ingestion paused: this API may not commit');
          else this.logger.info('ingestion resumed');
          this.stats.pausedReason = paused;
        }
        if (paused) {
          // What was read and not committed stays pending under our name; read it again first.
          backlog = true;
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        // Our own pending entries (read before a crash, never acknowledged) come first.
        if (backlog) backlog = (await this.readBatch('0')) > 0;
        else if (Date.now() >= nextClaim) {
          // Then, now and then, entries another consumer read and never acknowledged: an API that
          // died (its replacement may run under another name, e.g. a new container hostname).
          if ((await this.readBatch('claim')) === 0) nextClaim = Date.now() + this.options.claimEveryMs;
        } else await this.readBatch('>');
      } catch (err) {
        // A Redis that restarted without its data has no group: create it again (from the start of
        // whatever the stream holds now).
        if (String(err).includes('NOGROUP')) await this.ensureGroup().catch(() => {});
        else this.logger.warn({ err }, 'ingest batch failed; retrying');
        backlog = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async ingestArtifact(event: RunArtifactEvent): Promise<void> {
    const outcome: ArtifactOutcome = this.artifacts ? await this.artifacts.ingest(event) : 'not-kept';
    this.stats.artifacts[outcome] = (this.stats.artifacts[outcome] ?? 0) + 1;
  }

  private async fetch(from: '0' | '>' | 'claim', block: boolean): Promise<Entry[]> {
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
      )) as [string, Entry[]];
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

  /** Splits entries into events to apply and entries to keep aside, with why. */
  private parse(entries: Entry[]): { events: RunEvent[]; eventIds: string[]; rejected: Rejected[] } {
    const events: RunEvent[] = [];
    const eventIds: string[] = [];
    const rejected: Rejected[] = [];
    for (const [id, fields] of entries) {
      const raw = fields[fields.indexOf('e') + 1] ?? '';
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        rejected.push({ id, raw, reason: 'malformed', detail: 'not JSON' });
        continue;
      }
      const version = (json as { schema_version?: unknown } | null)?.schema_version ?? 1;
      if (version !== RUN_EVENT_SCHEMA_VERSION) {
        rejected.push({
          id,
          raw,
          reason: 'schema-version',
          detail: `event schema version ${JSON.stringify(version)}; this API understands ${RUN_EVENT_SCHEMA_VERSION}`,
        });
        continue;
      }
      const parsed = RunEvent.safeParse(json);
      if (parsed.success) {
        events.push(parsed.data);
        eventIds.push(id);
      } else {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        rejected.push({ id, raw, reason: 'malformed', detail });
      }
    }
    return { events, eventIds, rejected };
  }

  private async readBatch(from: '0' | '>' | 'claim', block = true): Promise<number> {
    const entries = await this.fetch(from, block);
    if (entries.length === 0) return 0;
    const { events, eventIds, rejected } = this.parse(entries);

    // The lease may have been lost while we waited for entries: then commit nothing and acknowledge
    // nothing; the entries stay pending and are read again (by us or the new holder).
    const paused = this.options.mayCommit();
    if (paused) {
      this.stats.pausedReason = paused;
      return 0;
    }
    // Artifacts first, in stream order: a run's artifacts precede its terminal event, and a file is
    // complete before its row; nothing is acknowledged until both steps are done.
    const runEvents: RunEvent[] = [];
    const runEventIds: string[] = [];
    for (const [k, event] of events.entries()) {
      if (event.type === 'artifact') await this.ingestArtifact(event);
      else {
        runEvents.push(event);
        runEventIds.push(eventIds[k] as string);
      }
    }
    const result = applyRunEvents(this.db, runEvents);
    const committedAt = Date.now();
    for (const position of result.unknownAt) {
      const event = runEvents[position] as RunEvent;
      rejected.push({
        id: runEventIds[position] as string,
        raw: JSON.stringify(event),
        reason: 'unknown-run',
        detail: `run ${event.run_id} is not in this API's database`,
      });
    }
    await this.acknowledge(
      entries.map(([id]) => id),
      rejected,
    );

    const s = this.stats;
    s.eventsRead += entries.length;
    s.applied += result.applied;
    s.fenced += result.fenced;
    s.unknown += result.unknown;
    s.invalid += rejected.filter((r) => r.reason === 'malformed').length;
    for (const r of rejected) s.deadLettered[r.reason]++;
    s.batches++;
    const newest = events.reduce((m, e) => Math.max(m, e.at), 0);
    if (newest > 0) s.lastLagMs = Math.max(0, Date.now() - newest);
    if (result.fenced > 0)
      this.logger.info({ fenced: result.fenced }, 'ignored events from superseded attempts');
    if (rejected.length > 0) {
      this.logger.error(
        {
          deadLetter: this.keys.eventsDeadLetter,
          entries: rejected.slice(0, 5).map((r) => ({ streamId: r.id, reason: r.reason, detail: r.detail })),
          count: rejected.length,
        },
        'kept run events this API cannot apply in the dead-letter stream',
      );
    }
    this.options.onCommitted(events, result, committedAt);
    return entries.length;
  }

  /**
   * After the commit: copies the rejected entries to the dead-letter stream and acknowledges the
   * whole batch, in one MULTI, so an entry is never acknowledged without having been kept.
   */
  private async acknowledge(ids: string[], rejected: Rejected[]): Promise<void> {
    const multi = this.redis.multi();
    for (const r of rejected) {
      multi.xadd(
        this.keys.eventsDeadLetter,
        '*',
        'e',
        r.raw,
        'reason',
        r.reason,
        'detail',
        r.detail,
        'source_id',
        r.id,
        'consumer',
        this.consumer,
      );
    }
    multi.xack(this.keys.events, this.keys.eventsGroup, ...ids);
    const replies = await multi.exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed)
      throw new Error(`acknowledging ${ids.length} entries failed: ${failed?.[0]?.message ?? 'aborted'}`);
  }
}
