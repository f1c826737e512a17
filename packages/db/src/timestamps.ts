/** Every timestamp column holds ISO-8601 UTC text with milliseconds; see schema.ts for why. */
export function isoTimestamp(ms: number = Date.now()): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new Error(`invalid timestamp ${ms}`);
  return date.toISOString();
}
