import type { Db } from '@sweeplab/db';
import type { Logger, RedisKeys } from '@sweeplab/shared';
import type { Redis } from 'ioredis';
import type { ApiConfig } from './config.ts';
import type { EventIngester } from './event-ingester.ts';
import type { RunQueue } from './run-queue.ts';

/** What every route needs; built once in `startApi` (or by a test) and passed to `buildServer`. */
export interface ApiContext {
  config: ApiConfig;
  db: Db;
  redis: Redis;
  keys: RedisKeys;
  queue: RunQueue;
  ingester: EventIngester | null;
  logger: Logger;
}
