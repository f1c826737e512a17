// Types of /dashboard/report-formats.js, which the API generates from @sweeplab/report
// (routes/dashboard-routes.ts): the very constant, so the types are its.
export { REPORT_FORMATS, type ReportFormat } from '@sweeplab/report/report-formats';
