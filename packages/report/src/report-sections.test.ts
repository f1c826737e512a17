import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_STATUSES } from '@sweeplab/shared';
import { buildReport } from './build-report.ts';
import { progressSentence } from './report-sections.ts';
import { fixtureInput } from './test-fixture.ts';

test('the progress sentence lists statuses in the state machine’s order, as the dashboard does', () => {
  const sentence = progressSentence(buildReport(fixtureInput()));
  assert.equal(sentence, '9 runs: 1 running, 7 completed, 1 failed.');
  const positions = RUN_STATUSES.map((s) => sentence.indexOf(` ${s}`)).filter((i) => i >= 0);
  assert.deepEqual(
    positions,
    [...positions].sort((a, b) => a - b),
  );
});
