import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { PYTHON_MODULE_DIR } from './program-runner.ts';

// The one-file `sweeplab` Python module (on every program's PYTHONPATH) has its own unittest suite.
test('the sweeplab Python module passes its unittest suite under python3', () => {
  const result = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', PYTHON_MODULE_DIR, '-v'], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /Ran [1-9]\d* tests/);
});
