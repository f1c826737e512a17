import { z } from 'zod';

/**
 * Programs: a user's training code that workers run as a sweep's `program`. A worker runs only the
 * programs its operator lists (WORKER_PROGRAMS_FILE, WORKER_PROGRAMS_DIR); a sweep names one, and its
 * jobs go to that program's queue, which only workers serving it read.
 */

/** The built-in MNIST networks (TF.js), served by every worker unless its operator says otherwise. */
export const BUILTIN_PROGRAM = 'sweeplab:builtin';

/**
 * A program's name: its path relative to WORKER_PROGRAMS_DIR, or a name from the programs file.
 * Letters, digits, `_ . / -`, no `..` segment, no leading `/`; the colon is kept for built-in names.
 */
export const ProgramName = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/,
    'may contain only letters, digits and _ . / - (and must not start with . / or -)',
  )
  .refine((n) => !n.split('/').includes('..'), 'must not contain a .. segment');

/** One entry of a programs file: what the worker starts for the program's runs. */
export const ProgramSpec = z
  .object({
    /** The program file, absolute or relative to the programs file's folder. */
    path: z.string().min(1),
    /** Working directory of its runs (default: the program's folder). */
    cwd: z.string().min(1).optional(),
    /** `${interpreter}` as argv, e.g. `["python3"]`; default from the extension (.py, .js, .mjs, .ts, .sh), else none. */
    interpreter: z.array(z.string().min(1)).optional(),
    /** Extra environment for its runs (added to the worker's). */
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment name'), z.string())
      .optional(),
  })
  .strict();
export type ProgramSpec = z.infer<typeof ProgramSpec>;

/** WORKER_PROGRAMS_FILE: `{ "programs": { "<name>": { "path": …, … } } }` (JSON). */
export const ProgramsFile = z
  .object({
    programs: z.record(z.string(), ProgramSpec).superRefine((programs, ctx) => {
      // Checked here rather than as the record's key schema, so the message says what is wrong.
      for (const name of Object.keys(programs)) {
        for (const issue of ProgramName.safeParse(name).error?.issues ?? []) {
          ctx.addIssue({ code: 'custom', path: [name], message: `program name: ${issue.message}` });
        }
      }
    }),
  })
  .strict();
export type ProgramsFile = z.infer<typeof ProgramsFile>;

/** `${interpreter}` for a program file without one, from its extension. */
export function defaultInterpreter(path: string): string[] {
  if (path.endsWith('.py')) return ['python3'];
  if (path.endsWith('.js') || path.endsWith('.mjs') || path.endsWith('.cjs')) return ['node'];
  if (path.endsWith('.ts') || path.endsWith('.mts')) return ['node', '--import', 'tsx'];
  if (path.endsWith('.sh')) return ['sh'];
  return [];
}

/**
 * A program's parameter names are the program's business (any W&B name, dotted Hydra names too),
 * limited to what an argument can carry clearly: no `=`, whitespace or control characters.
 */
export const ProgramParameterName = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/,
    'a program parameter name may contain only letters, digits and _ . - /',
  );
