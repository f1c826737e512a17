import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from './build-report.ts';
import { renderHtml } from './render-html.ts';
import type { ReportInput } from './report-input.ts';
import { fixtureInput } from './test-fixture.ts';

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);

/** A small tag-balance check: enough to catch unclosed or crossed elements. */
function assertWellFormed(html: string) {
  const body = html.replace(/<!DOCTYPE html>/i, '').replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    const tag = name!.toLowerCase();
    if (VOID.has(tag) || selfClosing) continue;
    if (closing) assert.equal(stack.pop(), tag, `closing </${tag}> at ${m.index}`);
    else stack.push(tag);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
}

test('self-contained, accessible, printable HTML with inline SVG curves', () => {
  const html = renderHtml(buildReport(fixtureInput()));
  assertWellFormed(html);
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i, 'no external resources');
  assert.doesNotMatch(html, /<script|<link|@import|url\(/i, 'no scripts or fetched styles');
  assert.match(html, /@media print/);
  // 2 groups × (loss + accuracy) charts, each labelled for screen readers.
  assert.equal(html.match(/<svg /g)?.length, 4);
  assert.equal(html.match(/role="img" aria-labelledby=/g)?.length, 4);
  assert.match(html, /training loss \(log scale\)/);
  assert.match(html, /validation accuracy \(%\)/);
  assert.ok((html.match(/<caption>/g)?.length ?? 0) >= 5);
  assert.ok(html.includes('<th scope="col"'));
  assert.ok(html.includes('<span class="best">best lr</span>'));
  assert.ok(html.includes('loss became NaN at batch 412 &lt;diverged&gt; | &quot;lr too high&quot;'));
  assert.ok(html.includes('still in progress'));
});

test('every user-provided string is escaped; unicode survives', () => {
  const input = fixtureInput();
  input.runs[0]!.backend = '<img src=x onerror=alert(1)>';
  const html = renderHtml(buildReport(input));
  assert.ok(!html.includes('<script>alert'));
  assert.ok(!html.includes('<img'));
  assert.ok(
    html.includes(
      '<h1>ResNet vs CNN &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; “résumé” ✓</h1>',
    ),
  );
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
});

function oneRun(epochs: number[], status: 'completed' | 'running' = 'completed'): ReportInput {
  const f = fixtureInput();
  return {
    ...f,
    runs: [{ ...f.runs[0]!, epochs: Math.max(...epochs, 1), status }],
    epochs: epochs.map((epoch) => ({ ...f.epochs[0]!, epoch })),
  };
}

test('edge cases render: one epoch, one seed, missing epochs, a sweep with no epochs yet', () => {
  for (const input of [
    oneRun([1]),
    oneRun([1, 2, 5, 6]),
    oneRun([], 'running'),
    { ...fixtureInput(), runs: [], epochs: [] },
  ]) {
    const html = renderHtml(buildReport(input));
    assertWellFormed(html);
    assert.doesNotMatch(html, /NaN|Infinity|undefined/);
  }
  // Missing epochs 3–4 break the line into two segments instead of bridging the gap.
  const gap = renderHtml(buildReport(oneRun([1, 2, 5, 6])));
  assert.equal(gap.match(/<path d="M/g)?.length, 4, '2 segments × 2 charts');
  assert.match(renderHtml(buildReport(oneRun([], 'running'))), /No data yet/);
});
