import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@sweeplab/shared';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/** Who holds the lease: stored as JSON in the lease key. */
export const LeaseHolder = z.object({
  database_id: z.string(),
  database_path: z.string(),
  host: z.string(),
  pid: z.number().int(),
  /** Distinguishes two holders with the same host and pid (a restart in a container). */
  token: z.string(),
  acquired_at: z.string(),
});
export type LeaseHolder = z.infer<typeof LeaseHolder>;

export interface LeaseOptions {
  /** Lease lifetime without renewal; renewed every third of it. */
  ttlMs: number;
  /** How long start-up waits for a lease held under the same database to expire before giving up. */
  waitMs: number;
}

/** A second API on the prefix under another database, or one that kept the lease past `waitMs`. */
export class LeaseRefusedError extends Error {
  override name = 'LeaseRefusedError';
}

// Take the key only when it is free or still holds exactly what we read (the holder we judged gone).
const TAKE = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, ARGV[1]}
end
return {0, current}
`;
// Extend the key only while it is still ours: a Redis that restarted empty, or a successor that took
// the key after it expired, makes this fail, and we stop writing.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The lease's own clock: monotonic, so a wall-clock step (NTP, a VM resumed) can neither extend nor
 * cut short how long this process believes it holds the lease. Redis times the key with its own clock.
 */
const now = () => performance.now();

/** True when `pid` is provably not running on this machine. */
function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const describe = (h: LeaseHolder) =>
  `host ${h.host}, pid ${h.pid}, database ${h.database_path} (id ${h.database_id}), since ${h.acquired_at}`;

/**
 * One writer per Redis prefix. The ingesting API holds a lease key naming its database (the file's
 * `database_id`), host and pid, and renews it every ttl/3. A second API finds it at start:
 * - another database: it refuses to start (two databases would split the event stream), unless the
 *   holder is provably gone (same host, dead pid);
 * - the same database: it takes over when the lease expires, or at once when the holder is provably
 *   gone, or refuses after `waitMs` if the holder keeps renewing (it is alive: stop it first).
 * A holder that cannot renew (Redis restarted empty, partition, a successor took over) loses the lease:
 * `lostReason` says why and the ingester commits nothing until `reacquire` succeeds.
 */
export class ApiLease {
  private readonly self: LeaseHolder;
  private readonly value: string;
  /** The lease is ours until this time (last successful renewal sent + ttl), if held. */
  private heldUntil = 0;
  private lost: string | null = 'not acquired yet';
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    database: { id: string; path: string },
    private readonly options: LeaseOptions,
    private readonly logger: Logger,
  ) {
    this.self = {
      database_id: database.id,
      database_path: database.path,
      host: hostname(),
      pid: process.pid,
      token: randomUUID(),
      acquired_at: new Date().toISOString(),
    };
    this.value = JSON.stringify(this.self);
  }

  get holder(): LeaseHolder {
    return this.self;
  }

  /**
   * Why this API may not commit now, or null while it holds the lease with at least a third of the
   * TTL to go (so a commit that starts now ends well before anyone else could take over).
   */
  whyNotHeld = (): string | null => {
    if (this.lost) return this.lost;
    const left = this.heldUntil - now();
    if (left < this.options.ttlMs / 3)
      return `lease not renewed for ${Math.round((this.options.ttlMs - left) / 1000)} s (Redis unreachable?)`;
    return null;
  };

  /** Takes the lease at start-up (waiting for an expiry when that is the way), or throws LeaseRefusedError. */
  async acquire(): Promise<void> {
    const deadline = now() + this.options.waitMs;
    for (;;) {
      const outcome = await this.tryTake();
      if (outcome === 'taken') break;
      if (outcome.database_id !== this.self.database_id)
        throw new LeaseRefusedError(this.otherDatabase(outcome));
      if (now() > deadline) throw new LeaseRefusedError(this.sameDatabaseAlive(outcome));
      this.logger.warn(
        { holder: outcome, key: this.key },
        'another API on this database holds the lease; waiting for it to expire',
      );
      await new Promise((r) => setTimeout(r, Math.min(1000, this.options.ttlMs / 5)));
    }
    this.startRenewing();
  }

  /**
   * Confirms that no other database's API holds the prefix, without taking it: for an API that does
   * not ingest (INGEST_ENABLED=false) but still creates runs whose events someone must ingest.
   */
  async checkCompatible(): Promise<void> {
    const raw = await this.redis.get(this.key);
    const holder = raw ? LeaseHolder.safeParse(JSON.parse(raw)) : null;
    if (holder?.success && holder.data.database_id !== this.self.database_id)
      throw new LeaseRefusedError(this.otherDatabase(holder.data));
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.lost === null) await this.redis.eval(RELEASE, 1, this.key, this.value);
    this.lost = 'released';
  }

  private async tryTake(): Promise<'taken' | LeaseHolder> {
    let expected = '';
    for (let round = 0; round < 2; round++) {
      const sentAt = now();
      const [ok, current] = (await this.redis.eval(
        TAKE,
        1,
        this.key,
        this.value,
        this.options.ttlMs,
        expected,
      )) as [number, string];
      if (ok === 1) {
        this.heldUntil = sentAt + this.options.ttlMs;
        this.lost = null;
        return 'taken';
      }
      const parsed = LeaseHolder.safeParse(JSON.parse(current));
      if (!parsed.success) {
        // Not ours to judge: written by something else. Treat it as a holder we cannot identify.
        throw new LeaseRefusedError(
          `the lease key ${this.key} holds something this API cannot read (${current.slice(0, 200)}); ` +
            'delete it if no sweeplab API uses this REDIS_PREFIX',
        );
      }
      const holder = parsed.data;
      // On this host a pid proves it: dead, or our own (a restarted container whose API is pid 1 again;
      // the token tells us it is not this incarnation's lease).
      const gone =
        holder.host === this.self.host && (holder.pid === process.pid || processIsGone(holder.pid));
      if (!gone || round === 1) return holder;
      this.logger.warn({ holder }, 'the lease holder is gone (same host, dead pid): taking over now');
      expected = current;
    }
    throw new Error('unreachable');
  }

  private startRenewing(): void {
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const sentAt = now();
    try {
      if (this.lost === null) {
        const ok = (await this.redis.eval(RENEW, 1, this.key, this.value, this.options.ttlMs)) as number;
        if (ok === 1) this.heldUntil = sentAt + this.options.ttlMs;
        else this.lose(await this.whyGone());
      } else {
        const outcome = await this.tryTake();
        if (outcome === 'taken') this.logger.info({ key: this.key }, 'lease re-acquired; ingestion resumes');
        else this.lost = `the lease is held by another API: ${describe(outcome)}`;
      }
    } catch (err) {
      if (this.lost === null && now() > this.heldUntil)
        this.lose(`could not renew the lease before it expired: ${(err as Error).message}`);
    } finally {
      this.renewing = false;
    }
  }

  private async whyGone(): Promise<string> {
    const raw = await this.redis.get(this.key).catch(() => null);
    if (!raw)
      return 'the lease vanished from Redis (Redis restarted without its data, or the key was deleted)';
    const holder = LeaseHolder.safeParse(JSON.parse(raw));
    return holder.success
      ? `the lease was taken by another API: ${describe(holder.data)}`
      : 'the lease key was overwritten';
  }

  private lose(reason: string): void {
    this.lost = reason;
    this.logger.error({ key: this.key, reason }, 'lost the lease: ingestion stops until it is re-acquired');
  }

  private otherDatabase(holder: LeaseHolder): string {
    return [
      `Another API already writes this deployment's events to a different database.`,
      `  REDIS_PREFIX lease ${this.key} is held by: ${describe(holder)}`,
      `  this API's database: ${this.self.database_path} (id ${this.self.database_id}), host ${this.self.host}, pid ${this.self.pid}`,
      'Two databases on one prefix would split the event stream between them. Either',
      '  - give this API its own REDIS_PREFIX (a separate deployment, e.g. REDIS_PREFIX=sweeplab-test), or',
      `  - point DATABASE_PATH at ${holder.database_path} (the same deployment), or`,
      `  - stop the other API; its lease expires ${Math.round(this.options.ttlMs / 1000)} s after its last renewal.`,
    ].join('\n');
  }

  private sameDatabaseAlive(holder: LeaseHolder): string {
    return [
      `Another API on the same database keeps renewing the lease ${this.key}: ${describe(holder)}.`,
      'Only one API may ingest per deployment. Stop that one first, or start this one with',
      'INGEST_ENABLED=false to serve reads beside it.',
    ].join('\n');
  }
}
