import { z } from 'zod';

/**
 * The wire protocol between a program and its worker: one JSON object per line, written to the file
 * descriptor named by SWEEPLAB_REPORT_FD (3), so any language reports, a shell script with `echo`:
 *
 *   echo '{"type":"log","step":1,"values":{"loss":0.52}}' >&3
 *
 * The worker tells the program through its environment: SWEEPLAB_RUN_ID, SWEEPLAB_PARAMS (the run's
 * parameters as JSON), SWEEPLAB_PARAMS_FILE, SWEEPLAB_STOP_FILE (exists once the run must stop; SIGTERM
 * follows) and SWEEPLAB_METRIC (the sweep's metric name). A line that does not parse, or is longer than
 * PROGRAM_MESSAGE_MAX_BYTES, fails the run with the line number and the reason.
 */

export const PROGRAM_MESSAGE_MAX_BYTES = 64 * 1024;
/** The file descriptor a program reports on. */
export const PROGRAM_REPORT_FD = 3;

const metricKey = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain whitespace or control characters');

export const ProgramLogMessage = z
  .object({
    type: z.literal('log'),
    /** The program's step; absent: one more than the last logged step (0 first). */
    step: z.number().int('must be an integer').min(0, 'must be at least 0').optional(),
    /** Numbers only: what the metrics table and hyperband compare. */
    values: z
      .record(metricKey, z.number({ message: 'must be a finite number' }).finite())
      .refine((v) => Object.keys(v).length > 0, 'must log at least one value')
      .refine((v) => Object.keys(v).length <= 100, 'at most 100 values per line'),
  })
  .strict();

export const ProgramMessage = z.discriminatedUnion('type', [ProgramLogMessage]);
export type ProgramMessage = z.infer<typeof ProgramMessage>;

/** One line of a program's report stream, parsed; the error names what is wrong. */
export function parseProgramMessage(
  line: string,
): { ok: true; message: ProgramMessage } | { ok: false; error: string } {
  if (Buffer.byteLength(line) > PROGRAM_MESSAGE_MAX_BYTES) {
    return { ok: false, error: `longer than ${PROGRAM_MESSAGE_MAX_BYTES} bytes` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const parsed = ProgramMessage.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  return {
    ok: false,
    error: parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; '),
  };
}
