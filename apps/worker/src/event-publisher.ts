import type { RedisKeys, RunEvent } from '@sweeplab/shared';
import type { Redis } from 'ioredis';

/** Appends run events to the stream the API's ingester reads (field `e`: the event as JSON). */
export class EventPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** Approximate stream length kept; acknowledged entries beyond it are trimmed. */
    private readonly maxLen = 1_000_000,
  ) {}

  async publish(event: RunEvent): Promise<string> {
    const id = await this.redis.xadd(
      this.keys.events,
      'MAXLEN',
      '~',
      this.maxLen,
      '*',
      'e',
      JSON.stringify(event),
    );
    if (id === null) throw new Error(`XADD to ${this.keys.events} returned no id for run ${event.run_id}`);
    return id;
  }
}
