import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder (for a SQLite file, checkpoints, ...) and a function that removes it. */
export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `sweeplab-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
