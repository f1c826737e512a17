import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `sweeplab` command as users run it: bin/sweeplab.js, a separate process, HTTP only. */
export const SWEEPLAB_BIN = fileURLToPath(new URL('../../../apps/cli/bin/sweeplab.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sweeplab <args>` to its exit with `env` over this process's environment. */
export function runSweeplab(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SWEEPLAB_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
