import { type RedisKeys, type RunEvent, serializeRunEvent } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

/**
 * Appends run events to the stream the API's ingester reads (field `e`: the event as JSON). It never
 * trims: only the API knows what its consumer group has acknowledged, and trims below that.
 */
export class EventPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async publish(event: RunEvent): Promise<string> {
    const id = await this.redis.xadd(this.keys.events, '*', 'e', serializeRunEvent(event));
    if (id === null) throw new Error(`XADD to ${this.keys.events} returned no id for run ${event.run_id}`);
    return id;
  }
}
