import type { z } from 'zod';
import { unknownCommandMacros } from './program-command.ts';
import { BUILTIN_PROGRAM, ProgramName, ProgramParameterName } from './programs.ts';
import type { ProgramMetric } from './train-job.ts';

/*
 * A sweep of a user's program (issue #21): its parameter names are the program's (any W&B name, dotted
 * Hydra names too), its values are checked only against the sweep's own distributions, and its metric
 * is whatever name the program logs. The built-in program keeps the built-in validation.
 */

interface ProgramSweepFields {
  program?: string | undefined;
  command?: string[] | undefined;
  parameters: Record<string, unknown>;
  metric?: { name: string; goal?: 'maximize' | 'minimize' | undefined } | undefined;
}

/**
 * The longest string value a program parameter may have: it becomes one argv entry, and Linux refuses
 * a single argument over 128 KiB (MAX_ARG_STRLEN), so the limit leaves room for the flag's name.
 */
export const PROGRAM_ARGUMENT_MAX_BYTES = 64 * 1024;

/** Why a string cannot be one argument of a program, or null when it can (anything else is literal). */
function argumentProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'a value must not contain a NUL character (no argument can carry it)';
  const bytes = Buffer.byteLength(value);
  if (bytes > PROGRAM_ARGUMENT_MAX_BYTES) {
    return `a value is ${bytes} bytes; a program argument may be at most ${PROGRAM_ARGUMENT_MAX_BYTES}`;
  }
  return null;
}

/** True when the sweep runs a user's program rather than the built-in networks. */
export function isProgramSweep(config: { program?: string | undefined }): boolean {
  return config.program !== undefined && config.program !== BUILTIN_PROGRAM;
}

/** The issues of a program sweep's own fields: program name, parameter names, command macros. */
export function refineProgramSweep(cfg: ProgramSweepFields, ctx: z.RefinementCtx): void {
  const name = ProgramName.safeParse(cfg.program);
  for (const issue of name.error?.issues ?? []) {
    ctx.addIssue({ code: 'custom', path: ['program'], message: issue.message });
  }
  for (const param of Object.keys(cfg.parameters)) {
    const parsed = ProgramParameterName.safeParse(param);
    for (const issue of parsed.error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', path: ['parameters', param], message: issue.message });
    }
  }
  for (const [param, spec] of Object.entries(cfg.parameters)) {
    const listed = [(spec as { value?: unknown }).value, ...((spec as { values?: unknown[] }).values ?? [])];
    for (const value of listed) {
      if (typeof value !== 'string') continue;
      const problem = argumentProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', path: ['parameters', param], message: problem });
    }
  }
  const unknown = unknownCommandMacros(cfg.command ?? []);
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['command'],
      message: `unknown macro ${unknown.map((m) => `\${${m}}`).join(', ')}; W&B's macros are \${env}, \${interpreter}, \${program}, \${args}, \${args_no_equals}, \${args_no_hyphens}, \${args_no_boolean_flags}, \${args_json}, \${args_json_file} and \${envvar:NAME}`,
    });
  }
  if (cfg.metric && !/^[^\s\p{Cc}]{1,200}$/u.test(cfg.metric.name)) {
    ctx.addIssue({
      code: 'custom',
      path: ['metric', 'name'],
      message: 'must be the name the program logs: 1 to 200 characters, no whitespace',
    });
  }
}

/** A program sweep's metric: the name as the program logs it; W&B's default goal (minimize) when none. */
export function programSweepMetric(config: ProgramSweepFields): ProgramMetric | null {
  if (!config.metric || !isProgramSweep(config)) return null;
  return { name: config.metric.name, goal: config.metric.goal ?? 'minimize' };
}
