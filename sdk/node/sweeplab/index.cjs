'use strict';
// Report to sweeplab from a Node.js program: the same calls as the Python module (sdk/python/sweeplab.py),
// the same wire protocol (JSON lines on SWEEPLAB_REPORT_FD). The worker puts sdk/node on NODE_PATH, so
// `require('sweeplab')` (or createRequire(import.meta.url)('sweeplab') from an ES module) finds it.
const fs = require('node:fs');

let lastStep = -1;

/** The run's parameters under the sweep's names ({} outside a worker). */
function init() {
  const raw = process.env.SWEEPLAB_PARAMS;
  return raw ? JSON.parse(raw) : {};
}

/** Record numeric values at a step (default: one more than the last step logged, 0 first). */
function log(values, step) {
  if (values === null || typeof values !== 'object' || Object.keys(values).length === 0) {
    throw new TypeError('log() takes a non-empty object of numbers');
  }
  for (const [key, value] of Object.entries(values)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TypeError(`log(): ${key} is ${String(value)}, not a finite number`);
    }
  }
  const at = step === undefined ? lastStep + 1 : step;
  if (!Number.isInteger(at) || at < 0)
    throw new RangeError(`log(): step must be an integer >= 0, not ${step}`);
  lastStep = Math.max(lastStep, at);
  const fd = process.env.SWEEPLAB_REPORT_FD;
  // Synchronous: a line is on its way before the next statement, even right before process.exit().
  if (fd) fs.writeSync(Number(fd), `${JSON.stringify({ type: 'log', step: at, values })}\n`);
}

/** True once the worker asked this run to stop (SIGTERM follows; finish the step and exit). */
function shouldStop() {
  const path = process.env.SWEEPLAB_STOP_FILE;
  return Boolean(path) && fs.existsSync(path);
}

module.exports = { init, log, shouldStop, should_stop: shouldStop };
