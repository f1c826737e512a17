import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A Redis key prefix no other test (or deployment) uses: `sweeplab-test:<label>:<random>`. */
export function testPrefix(label: string): string {
  return `sweeplab-test:${label.replace(/[^A-Za-z0-9_.-]/g, '_')}:${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix` (SCAN, never KEYS or FLUSHDB): data the test did not create stays. */
export async function deletePrefix(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}
