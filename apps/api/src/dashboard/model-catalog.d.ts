// Types of /dashboard/model-catalog.js, which the API generates from the model catalog
// (routes/dashboard-routes.ts).
import type { ModelStyle } from '@sweeplab/shared';

export { FALLBACK_STYLES } from '@sweeplab/shared';
/** Each catalog model's chart style, by model name. */
export const MODEL_STYLES: Readonly<Record<string, ModelStyle>>;
