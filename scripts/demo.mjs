#!/usr/bin/env node
// The README's main job: installs what is missing, then runs a CNN-vs-ResNet sweep end to end.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from './ensure-installed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureInstalled();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(root, 'tests/system/src/demo.ts'), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
  },
);
process.exit(result.status ?? 1);
