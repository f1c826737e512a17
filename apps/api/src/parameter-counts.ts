import type { ModelName } from '@sweeplab/shared';

/**
 * Trainable parameters per model, for the report's "parameters" column. These are the literals
 * `parameterCount()` in @sweeplab/models returns (its registry test pins them); they are copied here
 * because that package has no public index yet, and importing it would load TF.js into the API.
 */
export const PARAMETER_COUNTS: Readonly<Record<ModelName, number>> = {
  cnn: 823_746,
  resnet: 221_810,
  plain: 221_810,
};
