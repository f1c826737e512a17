// /dashboard/chart-axes.js is served from @sweeplab/shared (routes/dashboard-routes.ts): its types are that file's.
export * from '@sweeplab/shared/chart-axes';
