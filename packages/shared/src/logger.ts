import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * pino JSON to stdout. Child loggers carry runId, sweepId, jobId, attempt and workerId where they
 * apply, so one run's story can be pulled out of any process's log with a filter on a field.
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid, service: name } });
}
