// biome-ignore-all lint/suspicious/noTemplateCurlyInString: W&B's command macros are literally ${name}.
/**
 * A program run's command line, built as the W&B agent builds it: the sweep's `command` (default
 * `${env} ${interpreter} ${program} ${args}`) with every macro replaced by a list of argv entries.
 * Nothing here is ever given to a shell: each entry is one argument, so a parameter value such as
 * `; rm -rf /` or `$(id)` reaches the program as the literal text it is.
 *
 * Read from wandb/wandb:
 * - `wandb/sdk/launch/sweeps/utils.py`: DEFAULT_SWEEP_COMMAND, `create_sweep_command` (the
 *   `${envvar:NAME}` regex `\$\{envvar\:([A-Z0-9_]*)\}`, replaced anywhere in an entry, by the
 *   variable's value or, when it is unset, by its name) and `create_sweep_command_args` (`--k=v`,
 *   `k=v`, `--k v`, booleans as a bare `--k` or nothing, `json.dumps` of the dict). Values are written
 *   with Python's `str()` (`f"{param}={value}"`).
 * - `wandb/wandb_agent.py` (`Agent._command_run`): an entry that starts with `${` and ends with `}` is
 *   replaced by the macro's list, and an unknown macro by nothing; `${env}` is `/usr/bin/env`.
 */

/** A parameter value as a sweep gives it (JSON): what the program's arguments are written from. */
export type ProgramParamValue =
  | string
  | number
  | boolean
  | null
  | readonly ProgramParamValue[]
  | { readonly [key: string]: ProgramParamValue };

/** W&B's default command (wandb/sdk/launch/sweeps/utils.py DEFAULT_SWEEP_COMMAND). */
export const DEFAULT_PROGRAM_COMMAND = ['${env}', '${interpreter}', '${program}', '${args}'] as const;

/** The macros a command entry may be, each replaced by a list of arguments. */
export const PROGRAM_COMMAND_MACROS = [
  'env',
  'interpreter',
  'program',
  'args',
  'args_no_equals',
  'args_no_hyphens',
  'args_no_boolean_flags',
  'args_json',
  'args_json_file',
] as const;
export type ProgramCommandMacro = (typeof PROGRAM_COMMAND_MACROS)[number];

const ENVVAR = /\$\{envvar:([A-Z0-9_]*)\}/g;

/**
 * Python's `repr(float)` for a finite number: the shortest digits that read back as the same double
 * (JavaScript's toExponential() gives the same digits), in fixed notation when the decimal exponent is
 * in [-4, 16), else as `d.ddde±XX` (two exponent digits at least). `1e-05`, `0.0001`, `1e+16`, `2.5`.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const whole = digits.padEnd(exp + 1, '0');
    const int = whole.slice(0, exp + 1);
    const frac = whole.slice(exp + 1);
    return `${sign}${int}.${frac === '' ? '0' : frac}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${head}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * A JSON number as Python holds it after loading the sweep: integral values are ints (JSON and YAML
 * parsed here cannot tell `1.0` from `1`, so `1.0` prints as `1`, where W&B would print `1.0`).
 */
function pythonNumber(x: number): string {
  if (Number.isInteger(x)) return Math.abs(x) < 2 ** 53 ? String(x) : BigInt(x).toString();
  return pythonFloatRepr(x);
}

/** Python's `repr(str)`: single quotes unless the text has a single quote and no double quote. */
export function pythonStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

function pythonRepr(v: ProgramParamValue): string {
  if (typeof v === 'string') return pythonStrRepr(v);
  return pythonStr(v);
}

/** Python's `str(value)` for a value loaded from JSON: what `f"--{param}={value}"` writes. */
export function pythonStr(v: ProgramParamValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pythonNumber(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  const entries = Object.entries(v as Record<string, ProgramParamValue>);
  return `{${entries.map(([k, x]) => `${pythonStrRepr(k)}: ${pythonRepr(x)}`).join(', ')}}`;
}

/** Python's `json.dumps(value)` with its defaults: `", "` and `": "` separators, ASCII only. */
export function pythonJsonDumps(v: ProgramParamValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return pythonNumber(v);
  }
  if (typeof v === 'string') {
    // JSON.stringify escapes what JSON requires; json.dumps (ensure_ascii) also escapes non-ASCII.
    return JSON.stringify(v).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (Array.isArray(v)) return `[${v.map(pythonJsonDumps).join(', ')}]`;
  const entries = Object.entries(v as Record<string, ProgramParamValue>);
  return `{${entries.map(([k, x]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(x)}`).join(', ')}}`;
}

/** Every argument list a macro can expand to, from the run's parameters (create_sweep_command_args). */
export function programArgLists(params: Readonly<Record<string, ProgramParamValue>>) {
  const args: string[] = [];
  const argsNoEquals: string[] = [];
  const argsNoHyphens: string[] = [];
  const argsNoBooleanFlags: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    const flag = `${name}=${pythonStr(value)}`;
    args.push(`--${flag}`);
    argsNoHyphens.push(flag);
    argsNoEquals.push(`--${name}`, pythonStr(value));
    if (typeof value === 'boolean') {
      if (value) argsNoBooleanFlags.push(`--${name}`);
    } else argsNoBooleanFlags.push(`--${flag}`);
  }
  return {
    args,
    args_no_equals: argsNoEquals,
    args_no_hyphens: argsNoHyphens,
    args_no_boolean_flags: argsNoBooleanFlags,
    args_json: [pythonJsonDumps(params)],
  };
}

export interface ProgramCommandInput {
  /** The sweep's `command`; W&B's default when absent. */
  command?: readonly string[] | undefined;
  /** The interpreter's argv (e.g. `['python3']`, `['node', '--import', 'tsx']`); empty runs the program itself. */
  interpreter: readonly string[];
  /** The program's path as the worker resolved it. */
  program: string;
  params: Readonly<Record<string, ProgramParamValue>>;
  /** Where the worker wrote `args_json` for `${args_json_file}`. */
  argsJsonFile: string;
  /** The environment `${envvar:NAME}` reads (the program's). */
  env: Readonly<Record<string, string | undefined>>;
}

/** The argv of a program run: the command with `${envvar:…}` filled in, then every macro entry expanded. */
export function buildProgramArgv(input: ProgramCommandInput): string[] {
  const lists: Record<ProgramCommandMacro, readonly string[]> = {
    env: ['/usr/bin/env'],
    interpreter: input.interpreter,
    program: [input.program],
    args_json_file: [input.argsJsonFile],
    ...programArgLists(input.params),
  };
  const argv: string[] = [];
  for (const raw of input.command ?? DEFAULT_PROGRAM_COMMAND) {
    const entry = raw.replace(ENVVAR, (_m, name: string) => input.env[name] ?? name);
    if (entry.startsWith('${') && entry.endsWith('}')) {
      const macro = entry.slice(2, -1);
      // An unknown macro expands to nothing, as in the W&B agent (the sweep config refuses them first).
      argv.push(...((lists as Record<string, readonly string[]>)[macro] ?? []));
    } else argv.push(entry);
  }
  return argv;
}

/** Macro entries of a command that no worker would know (`${…}` entries that are not macros). */
export function unknownCommandMacros(command: readonly string[]): string[] {
  return command
    .filter((c) => c.startsWith('${') && c.endsWith('}') && !c.startsWith('${envvar:'))
    .map((c) => c.slice(2, -1))
    .filter((m) => !(PROGRAM_COMMAND_MACROS as readonly string[]).includes(m));
}
