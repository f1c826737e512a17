import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from './build-report.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import { fixtureInput } from './test-fixture.ts';

const md = renderMarkdown(buildReport(fixtureInput()));

/** Splits a GFM row on unescaped pipes. */
const cells = (line: string) =>
  line
    .trim()
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());

test('every table has a consistent column count (header, separator, rows)', () => {
  const lines = md.split('\n');
  let tables = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || lines[i - 1]?.startsWith('|')) continue;
    tables++;
    const width = cells(lines[i]!).length;
    assert.match(lines[i + 1]!, /^\|(-{3}:?\|)+$/, `separator after: ${lines[i]}`);
    for (let j = i + 1; lines[j]?.startsWith('|'); j++)
      assert.equal(cells(lines[j]!).length, width, `row: ${lines[j]}`);
  }
  assert.equal(tables, 6, '2 groups × (checkpoint + per model) + 1 comparison table + excluded runs');
});

test('the reference-style checkpoint table: epoch rows, loss then accuracy columns, mean ± std (n)', () => {
  assert.ok(
    md.includes(
      '| epoch | cnn train loss | resnet train loss | plain train loss | cnn val acc (%) | resnet val acc (%) | plain val acc (%) |',
    ),
  );
  // resnet epoch 1: loss 0.300 ± 0.0200, acc 97.43 ± 0.40 (hand-computed from the fixture, see build-report.test).
  assert.ok(
    md.includes(
      '| 1 | 0.525 ± 0.035 (n=2) | 0.300 ± 0.020 (n=3) | 1.44 (n=1) | 94.50 ± 0.71 (n=2) | 97.43 ± 0.40 (n=3) | 94.69 (n=1) |',
    ),
  );
  assert.ok(md.includes('### Training loss and validation accuracy at epochs 1, 2 and 3'));
});

test('groups by lr, marks the best lr, states the verdicts and the excluded runs with errors', () => {
  assert.ok(md.includes('## Learning rate 0.05'));
  assert.ok(md.includes('## Learning rate 0.1'));
  assert.ok(md.includes('| resnet (best lr) | 221,810 | 3/3 | 99.10 ± 0.11 |'));
  assert.ok(
    md.includes(
      "- resnet's mean final validation accuracy is 1.10 points above cnn's, but the difference is not significant at 5%",
    ),
  );
  assert.ok(md.includes('only one seed of plain: no significance can be claimed'));
  assert.ok(
    md.includes(
      '| `c2` | cnn | 2 | 0.1 | failed | 1/3 | failed after 1 of 3 epochs | loss became NaN at batch 412 &lt;diverged&gt; \\| "lr too high" |',
    ),
  );
});

test('user text cannot inject HTML or break the layout', () => {
  assert.ok(!md.includes('<script>'));
  assert.ok(md.startsWith('# ResNet vs CNN &lt;script&gt;alert("x")&lt;/script&gt; &amp; “résumé” ✓\n'));
});

test('a search that ended before its run_cap says why, in markdown, HTML and JSON; none says nothing', () => {
  const input = fixtureInput();
  input.sweep.search = {
    status: 'stopped',
    reason: 'proposal 2 is not a valid run: body.parameters.epochs: must be at most 3',
  };
  const report = buildReport(input);
  assert.equal(
    report.sweep.searchEnded,
    'stopped: proposal 2 is not a valid run: body.parameters.epochs: must be at most 3',
  );
  assert.match(
    renderMarkdown(report),
    /^> The search stopped: proposal 2 is not a valid run: body\.parameters\.epochs: must be at most 3$/m,
  );
  assert.match(
    renderHtml(report),
    /<p class="notice" role="note">The search stopped: proposal 2 is not a valid run/,
  );
  input.sweep.search = { status: 'finished', reason: null };
  assert.equal(buildReport(input).sweep.searchEnded, null);
  assert.doesNotMatch(md, /The search/);
});
