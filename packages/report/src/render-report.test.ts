import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from './build-report.ts';
import { renderCsv } from './render-csv.ts';
import { renderReport } from './render-report.ts';
import { isReportFormat, REPORT_FORMATS } from './report-formats.ts';
import { fixtureInput } from './test-fixture.ts';

test('every report format renders with its content type; json is the report itself', () => {
  const input = fixtureInput();
  const types = REPORT_FORMATS.map((format) => renderReport(input, format).contentType.split(';')[0]);
  assert.deepEqual(types, ['application/json', 'text/markdown', 'text/csv', 'text/html']);
  assert.deepEqual(
    JSON.parse(renderReport(input, 'json').body),
    JSON.parse(JSON.stringify(buildReport(input))),
  );
  assert.equal(renderReport(input, 'csv').body, renderCsv(buildReport(input)));
  assert.match(renderReport(input, 'md').body, /^# /);
  assert.match(renderReport(input, 'html').body, /^<!doctype html>/i);
});

test('isReportFormat accepts exactly the listed formats', () => {
  for (const format of REPORT_FORMATS) assert.ok(isReportFormat(format));
  for (const other of ['pdf', 'JSON', 'markdown', '']) assert.equal(isReportFormat(other), false, other);
});
