import { METRICS_COLUMNS, type MetricsRow } from './query-metrics.ts';

/** RFC 4180: a field is quoted when it holds a comma, quote, CR or LF; quotes inside are doubled. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Header line plus one line per row, CRLF-terminated as RFC 4180 specifies. */
export function metricsToCsv(rows: readonly MetricsRow[]): string {
  const lines = [METRICS_COLUMNS.join(',')];
  for (const row of rows) lines.push(METRICS_COLUMNS.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
