// Types of /dashboard/run-status.js, which the API generates from the run state machine
// (routes/dashboard-routes.ts): the very constants of @sweeplab/shared, so the types are theirs.
export { RUN_STATUSES, TERMINAL_STATUSES } from '@sweeplab/shared';
