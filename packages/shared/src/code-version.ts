import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let cached: string | undefined;

function findCodeVersion(): string {
  const fromEnv = process.env.SWEEPLAB_CODE_VERSION?.trim();
  if (fromEnv) return fromEnv;
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: new URL('.', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    })
      .toString()
      .trim();
    if (/^[0-9a-f]{7,40}$/.test(commit)) return `git:${commit}`;
  } catch {
    // No git here (an installed image): fall through to the package version.
  }
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return `sweeplab@${pkg.version ?? 'unknown'}`;
}

/**
 * The code that produced something (recorded in exported weights): SWEEPLAB_CODE_VERSION when the
 * deployment sets it (a Docker image has no .git), else the git commit of the checkout, else the
 * package version. Looked up once per process.
 */
export function codeVersion(): string {
  cached ??= findCodeVersion();
  return cached;
}
