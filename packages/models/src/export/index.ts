/**
 * Weight export without TF.js: checkpoints → PyTorch-named safetensors and back. A separate entry
 * point (`@sweeplab/models/export`) so the API can convert weights without loading a TF.js backend.
 */
export { CheckpointError, decodeCheckpoint } from '../training/checkpoint.ts';
export { type ArtifactProvenance, checkpointToSafetensors, safetensorsToWeights } from './model-artifact.ts';
export { fromPytorchStateDict, toPytorchStateDict } from './pytorch-state-dict.ts';
export {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  type SafetensorsFile,
  type Tensor,
} from './safetensors.ts';
