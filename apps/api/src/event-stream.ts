import type { RedisKeys } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

/** The events stream as the consumer group sees it. */
export interface StreamBacklog {
  /** Entries in the stream (acknowledged ones kept for inspection included). */
  length: number;
  /** Entries not yet acknowledged: delivered and pending, plus never delivered. */
  unacked: number;
  /** Age of the oldest unacknowledged entry (from its id's timestamp), or null when there is none. */
  oldestUnackedAgeMs: number | null;
  /** Entries kept in the dead-letter stream (events this API could not apply). */
  deadLetterLength: number;
}

interface GroupInfo {
  lastDeliveredId: string;
  pending: number;
  /** Entries not yet delivered to the group (Redis 7); null when Redis cannot tell. */
  lag: number | null;
}

async function groupInfo(redis: Redis, keys: RedisKeys): Promise<GroupInfo | null> {
  let groups: unknown[][];
  try {
    groups = (await redis.xinfo('GROUPS', keys.events)) as unknown[][];
  } catch (err) {
    if (String(err).includes('no such key')) return null;
    throw err;
  }
  for (const flat of groups) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
    if (info.get('name') === keys.eventsGroup) {
      const lag = info.get('lag');
      return {
        lastDeliveredId: String(info.get('last-delivered-id')),
        pending: Number(info.get('pending')),
        lag: lag === null || lag === undefined ? null : Number(lag),
      };
    }
  }
  return null;
}

/** The id of the oldest entry the group has not acknowledged, or null when all are. */
async function oldestUnackedId(redis: Redis, keys: RedisKeys, group: GroupInfo): Promise<string | null> {
  if (group.pending > 0) {
    const summary = (await redis.xpending(keys.events, keys.eventsGroup)) as [number, string | null];
    if (summary[1]) return summary[1];
  }
  const next = await redis.xrange(keys.events, `(${group.lastDeliveredId}`, '+', 'COUNT', 1);
  return next[0]?.[0] ?? null;
}

const idTime = (id: string) => Number(id.split('-')[0]);

export async function streamBacklog(redis: Redis, keys: RedisKeys): Promise<StreamBacklog> {
  const [length, deadLetterLength, group] = await Promise.all([
    redis.xlen(keys.events),
    redis.xlen(keys.eventsDeadLetter),
    groupInfo(redis, keys),
  ]);
  if (!group) {
    // No group yet: nothing has been read, so everything in the stream is unacknowledged.
    const first = await redis.xrange(keys.events, '-', '+', 'COUNT', 1);
    const id = first[0]?.[0];
    return {
      length,
      unacked: length,
      oldestUnackedAgeMs: id ? Date.now() - idTime(id) : null,
      deadLetterLength,
    };
  }
  const oldest = await oldestUnackedId(redis, keys, group);
  let undelivered = group.lag ?? 0;
  if (group.lag === null && oldest) {
    const entries = await redis.xrange(keys.events, `(${group.lastDeliveredId}`, '+', 'COUNT', 100_000);
    undelivered = entries.length;
  }
  return {
    length,
    unacked: group.pending + undelivered,
    oldestUnackedAgeMs: oldest ? Math.max(0, Date.now() - idTime(oldest)) : null,
    deadLetterLength,
  };
}

/**
 * Trims the events stream below everything the consumer group has not acknowledged, keeping about the
 * newest `retain` acknowledged entries. An ingester that is down for a long time therefore loses
 * nothing: unacknowledged entries are never trimmed, however long the stream grows. Returns the number
 * of entries removed.
 *
 * Cost is proportional to what is removed: it reads only the entries it is about to delete, and
 * nothing at all while the stream holds no more than `retain` acknowledged entries.
 */
export async function trimAcknowledged(redis: Redis, keys: RedisKeys, retain: number): Promise<number> {
  const [group, length] = await Promise.all([groupInfo(redis, keys), redis.xlen(keys.events)]);
  if (!group) return 0;
  // Every entry strictly below `bound` is acknowledged: delivered, and no longer pending.
  const bound = (await oldestUnackedId(redis, keys, group)) ?? nextId(group.lastDeliveredId);
  // Acknowledged entries, counted from above: at most length − pending − undelivered (acknowledged
  // entries between the oldest pending one and the newest delivered one make it an overestimate,
  // so slightly fewer than `retain` may stay; never an unacknowledged one, as the range stops at bound).
  const excess = length - group.pending - (group.lag ?? 0) - retain;
  if (excess <= 0) return 0;
  const doomed = await redis.xrange(keys.events, '-', `(${bound}`, 'COUNT', excess);
  const last = doomed.at(-1);
  if (!last) return 0;
  return redis.xtrim(keys.events, 'MINID', nextId(last[0]));
}

function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${Number(seq ?? 0) + 1}`;
}
