import { z } from 'zod';

/**
 * Why an attempt failed in a way that another attempt, on this or any machine, cannot fix. The code
 * travels with the error (e.g. over the worker's child protocol), so the retry policy never has to
 * recognise error classes by name.
 */
export const PermanentFailureCode = z.enum([
  'invalid-config',
  'invalid-input',
  'dataset-file',
  'checkpoint',
  /** A program exited non-zero or was killed by a signal: its own failure, not retried unless the sweep asks. */
  'program-failed',
  /** The job names a program this worker does not serve (a queue written by something other than the API). */
  'program-unknown',
]);
export type PermanentFailureCode = z.infer<typeof PermanentFailureCode>;

/** Base class of errors that retrying cannot help; subclasses say which kind with `code`. */
export abstract class PermanentError extends Error {
  abstract readonly code: PermanentFailureCode;
}

/** The permanent-failure code of `err`, or null when a retry might succeed. */
export function permanentFailureCode(err: unknown): PermanentFailureCode | null {
  if (err instanceof PermanentError) return err.code;
  // Input that fails its schema fails it again on the next attempt.
  if (err instanceof z.ZodError) return 'invalid-input';
  return null;
}
