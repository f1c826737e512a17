export { type BackendInfo, BackendUnavailableError, currentBackend, initBackend } from './backend/backend.ts';
export { type Dataset, type DatasetDirs, loadDataset } from './data/dataset-loader.ts';
export { DatasetFileError } from './data/idx-reader.ts';
export { predictProbabilities } from './inference/predict.ts';
export type { ModelDefinition } from './models/model-definition.ts';
export { getModel, MODEL_REGISTRY } from './models/model-registry.ts';
export type { NamedArray } from './models/model-weights.ts';
export { CHECKPOINT_FORMAT_VERSION, CheckpointError, decodeCheckpoint } from './training/checkpoint.ts';
export { type TrainRunOptions, type TrainRunResult, trainRun } from './training/train-run.ts';
