/**
 * `npm run bench:train`: the throughput table (bench-train.ts, every flag passed through), then the
 * optimizer step's share of a train step (bench-optimizer-share.ts, for the same --models).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const args = process.argv.slice(2);
const { values } = parseArgs({ args, options: { models: { type: 'string' } }, strict: false });

function run(script: string, scriptArgs: string[]): void {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', path, ...scriptArgs], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('./bench-train.ts', args);
console.log('');
run('./bench-optimizer-share.ts', typeof values.models === 'string' ? ['--models', values.models] : []);
