import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BUILTIN_PROGRAM, defaultInterpreter, ProgramName, ProgramsFile } from '@sweeplab/shared';
import type { WorkerConfig } from './config.ts';

/** A program this worker runs, resolved: absolute path and folder, interpreter argv, extra environment. */
export interface ServedProgram {
  name: string;
  path: string;
  cwd: string;
  interpreter: string[];
  env: Record<string, string>;
}

/** Invalid WORKER_PROGRAMS_FILE / WORKER_PROGRAMS_DIR: the worker refuses to start, saying why. */
export class ProgramsConfigError extends Error {
  override name = 'ProgramsConfigError';
}

function fromFile(file: string): ServedProgram[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ProgramsConfigError(`WORKER_PROGRAMS_FILE ${file}: ${(err as Error).message}`);
  }
  const parsed = ProgramsFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ProgramsConfigError(`WORKER_PROGRAMS_FILE ${file}: ${issues}`);
  }
  const base = dirname(resolve(file));
  return Object.entries(parsed.data.programs).map(([name, spec]) => {
    const path = resolve(base, spec.path);
    return {
      name,
      path,
      cwd: spec.cwd ? resolve(base, spec.cwd) : dirname(path),
      interpreter: spec.interpreter ?? defaultInterpreter(path),
      env: spec.env ?? {},
    };
  });
}

function fromDir(dir: string): ServedProgram[] {
  const root = resolve(dir);
  let entries: string[];
  try {
    entries = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch (err) {
    throw new ProgramsConfigError(`WORKER_PROGRAMS_DIR ${root}: ${(err as Error).message}`);
  }
  const programs: ServedProgram[] = [];
  for (const entry of entries.sort()) {
    const path = join(root, entry);
    const name = relative(root, path).split(sep).join('/');
    // Hidden files and folders, and names a sweep could not spell, are not programs.
    if (name.split('/').some((part) => part.startsWith('.')) || !ProgramName.safeParse(name).success)
      continue;
    const stat = statSync(path);
    const interpreter = defaultInterpreter(path);
    // A file with no interpreter by its extension runs only if it is executable (a README is not a program).
    if (!stat.isFile() || (interpreter.length === 0 && (stat.mode & 0o111) === 0)) continue;
    programs.push({ name, path, cwd: dirname(path), interpreter, env: {} });
  }
  return programs;
}

/** The programs this worker serves, by name (the file's entries win over the folder's of the same name). */
export function loadServedPrograms(config: WorkerConfig): Map<string, ServedProgram> {
  const served = new Map<string, ServedProgram>();
  if (config.WORKER_PROGRAMS_DIR) for (const p of fromDir(config.WORKER_PROGRAMS_DIR)) served.set(p.name, p);
  if (config.WORKER_PROGRAMS_FILE)
    for (const p of fromFile(config.WORKER_PROGRAMS_FILE)) served.set(p.name, p);
  for (const p of served.values()) {
    if (!isAbsolute(p.path))
      throw new ProgramsConfigError(`program ${p.name}: path ${p.path} is not absolute`);
  }
  return served;
}

/** Whether this worker trains the built-in networks too (WORKER_BUILTIN; `auto`: when it lists no programs). */
export function servesBuiltin(config: WorkerConfig, programs: ReadonlyMap<string, ServedProgram>): boolean {
  if (config.WORKER_BUILTIN === 'auto') return programs.size === 0;
  return config.WORKER_BUILTIN === 'true';
}

/** Every program name this worker announces and reads the queue of. */
export function servedProgramNames(
  config: WorkerConfig,
  programs: ReadonlyMap<string, ServedProgram>,
): string[] {
  return [...(servesBuiltin(config, programs) ? [BUILTIN_PROGRAM] : []), ...programs.keys()];
}
