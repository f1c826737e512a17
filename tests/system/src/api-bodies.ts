/**
 * The API's request and response bodies as the generated client types them (apps/cli/src/api-schema.ts,
 * generated from apps/api/openapi.json; tests check that both match the server), so a system test
 * reads the fields the API documents instead of re-declaring them.
 */

import type { describeSearch } from '../../../apps/api/src/sweep-controller/search-report.ts';
import type { components, operations } from '../../../apps/cli/src/api-schema.ts';

type Schemas = components['schemas'];
type JsonRequest<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;
type JsonResponse<Op extends keyof operations> = operations[Op] extends {
  responses: { 200: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/** POST /v1/sweeps */
export type SweepRequest = JsonRequest<'createSweep'>;
/** POST /v1/runs */
export type RunRequest = JsonRequest<'createRun'>;
export type CreatedSweep = Schemas['CreatedSweep'];
export type Run = Schemas['Run'];
/** GET /v1/runs/:id and DELETE /v1/runs/:id */
export type RunWithMetrics = Schemas['RunWithMetrics'];
/** GET /v1/runs */
export type RunList = JsonResponse<'listRuns'>;
/** GET /v1/metrics (format=json) */
export type MetricsPage = Schemas['MetricsPage'];
/** GET /v1/workers */
export type WorkerList = Schemas['WorkerList'];
/** Every 4xx */
export type ApiError = Schemas['Error'];
/**
 * GET /v1/sweeps/:id. The document leaves `search` and `early_terminate` open (the schema is loose),
 * so their shape comes from the function that writes them.
 */
export type SweepDetail = Schemas['SweepDetail'] & ReturnType<typeof describeSearch>;
