import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, escapeHtml, escapeMarkdown } from './escape.ts';

test('HTML escaping neutralises markup and keeps unicode', () => {
  assert.equal(
    escapeHtml(`<script>alert("x")</script> & 'é' ✓`),
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;é&#39; ✓',
  );
});

test('markdown escaping keeps tables intact and HTML inert', () => {
  assert.equal(escapeMarkdown('a|b\n*c* <b>'), 'a\\|b \\*c\\* &lt;b&gt;');
});

test('CSV fields follow RFC 4180', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(null), '');
  assert.equal(csvField(0.1), '0.1');
});
