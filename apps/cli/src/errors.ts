import type { components } from './api-schema.ts';

/** Exit codes scripts can rely on (README, "The sweeplab command"). */
export const EXIT = {
  ok: 0,
  /** The command ran, but what it followed did not end well (a watched sweep had failed runs). */
  failed: 1,
  usage: 2,
  unreachable: 3,
  rejected: 4,
  /** Ctrl-C while watching: the sweep keeps running. */
  interrupted: 130,
} as const;

export type ApiErrorBody = components['schemas']['Error'];

/** Exits with `code` after printing `message` on stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(`${message}\nRun \`sweeplab help\` for the commands and their options.`, EXIT.usage);
  }
}

export class ApiUnreachableError extends CliError {
  constructor(baseUrl: string, cause: unknown) {
    const reason =
      cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
    super(`cannot reach the API at ${baseUrl}: ${reason} (set API_URL or --api-url)`, EXIT.unreachable);
  }
}

/** The API refused the request (4xx): its message and one line per field at fault. */
export class ApiRejectedError extends CliError {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
  ) {
    const lines = [`the API rejected the request (${status}): ${body?.message ?? 'no details'}`];
    for (const issue of body?.issues ?? []) lines.push(`  ${issue.field}: ${issue.message}`);
    super(lines.join('\n'), EXIT.rejected);
  }
}
