import { buildReport } from './build-report.ts';
import { renderCsv } from './render-csv.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import { REPORT_CONTENT_TYPES, type ReportFormat } from './report-formats.ts';
import type { ReportInput } from './report-input.ts';

/** The report in one format, as the bytes the API serves and the offline `report` tool prints. */
export function renderReport(
  input: ReportInput,
  format: ReportFormat,
): { contentType: string; body: string } {
  const report = buildReport(input);
  const body =
    format === 'md'
      ? renderMarkdown(report)
      : format === 'csv'
        ? renderCsv(report)
        : format === 'html'
          ? renderHtml(report)
          : `${JSON.stringify(report, null, 2)}\n`;
  return { contentType: REPORT_CONTENT_TYPES[format], body };
}
