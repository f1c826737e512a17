import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from './build-report.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import type { ReportInput } from './report-input.ts';
import { fixtureInput } from './test-fixture.ts';

/** The fixture with its failed cnn run turned into an ASHA stop, and the sweep's rung table. */
function ashaInput(): ReportInput {
  const input = fixtureInput();
  const c2 = input.runs.find((r) => r.id === 'c2');
  if (!c2) throw new Error('fixture changed');
  Object.assign(c2, {
    status: 'stopped',
    error: null,
    early_stop: {
      rule: 'asha',
      band: 1,
      bracket: 0,
      value: 0.1135,
      threshold: 0.95,
      compared_run_ids: ['c0', 'c1'],
    },
  });
  input.earlyTermination = {
    rule: 'asha',
    rungs: [
      { bracket: 0, rung: 1, reached: 3, stopped: 1, kept: 2, threshold: 0.945 },
      { bracket: 0, rung: 3, reached: 2, stopped: 0, kept: 2, threshold: 0.98 },
    ],
  };
  return input;
}

test('a stopped run says which rule stopped it, where, against what, and how many runs it was compared with', () => {
  const report = buildReport(ashaInput());
  const c2 = report.excludedRuns.find((r) => r.runId === 'c2');
  assert.equal(
    c2?.reason,
    'stopped early by asha after 1 of 3 epochs: 0.1135 at rung 1 (bracket 0), threshold 0.9500; compared with 2 runs',
  );
  // Rows written before rules were recorded read as hyperband's, as before.
  const old = fixtureInput();
  Object.assign(old.runs.find((r) => r.id === 'c2') as object, {
    status: 'stopped',
    early_stop: { band: 1, value: 0.1135, threshold: 0.95 },
  });
  assert.match(
    buildReport(old).excludedRuns.find((r) => r.runId === 'c2')?.reason ?? '',
    /^stopped early by hyperband after 1 of 3 epochs: 0\.1135 at band 1, threshold 0\.9500$/,
  );
});

test('the rung table is in the markdown and the HTML report', () => {
  const report = buildReport(ashaInput());
  const md = renderMarkdown(report);
  assert.ok(md.includes('## Early termination (asha)'), md);
  assert.ok(md.includes('| rung | reached | stopped | kept | threshold now |'));
  assert.ok(md.includes('| 1 | 3 | 1 | 2 | 0.945 |'));
  assert.ok(md.includes('| 3 | 2 | 0 | 2 | 0.98 |'));
  const html = renderHtml(report);
  assert.match(html, /<h2>Early termination \(asha\)<\/h2>/);
  assert.match(html, /<tr><td>1<\/td><td>3<\/td><td>1<\/td><td>2<\/td><td>0\.945<\/td><\/tr>/);
  assert.ok(
    !renderMarkdown(buildReport(fixtureInput())).includes('Early termination'),
    'absent without early_terminate',
  );
});
