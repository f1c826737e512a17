// A program for the system tests: `loss` falls with the steps and is best at lr 0.1; on SIGTERM it
// notes (in $MARKER_DIR/<run>.sigterm) whether should_stop() was already true, and exits 0.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const sweeplab = createRequire(import.meta.url)('sweeplab');
const config = sweeplab.init();
process.on('SIGTERM', () => {
  writeFileSync(
    join(process.env.MARKER_DIR, `${process.env.SWEEPLAB_RUN_ID}.sigterm`),
    String(sweeplab.shouldStop()),
  );
  process.exit(0);
});
for (let step = 0; step < config.steps; step++) {
  await new Promise((r) => setTimeout(r, config.sleep_ms));
  sweeplab.log({ loss: Math.abs(Math.log10(config.lr) + 1) + 1 / (step + 1), aux: step * 2 }, step);
}
