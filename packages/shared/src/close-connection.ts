/** The part of an ioredis client that closing needs (shared has no ioredis dependency). */
interface Closable {
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * QUIT politely, but never wait on a Redis that is down: a client with maxRetriesPerRequest: null
 * would queue the QUIT until Redis comes back, and shutdown must finish regardless.
 */
export async function closeConnection(client: Closable, waitMs = 1000): Promise<void> {
  const timer = new Promise<void>((resolve) => setTimeout(resolve, waitMs).unref());
  await Promise.race([client.quit().catch(() => {}), timer]);
  client.disconnect();
}

/** Waits for `promise` at most `ms`; for shutdown steps that may hang on an unreachable Redis. */
export async function settleWithin(
  promise: Promise<unknown> | undefined,
  ms: number,
): Promise<'settled' | 'timed-out'> {
  if (!promise) return 'settled';
  const timer = new Promise<'timed-out'>((resolve) => setTimeout(() => resolve('timed-out'), ms).unref());
  return Promise.race([
    promise.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    timer,
  ]);
}
