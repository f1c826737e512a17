import { z } from 'zod';

/** Models the training engine registers; the API rejects any other name. */
export const MODEL_NAMES = ['cnn', 'resnet', 'plain'] as const;
export const ModelName = z.enum(MODEL_NAMES);
export type ModelName = z.infer<typeof ModelName>;

/** Datasets the training engine reads from local IDX files (never downloaded at run time). */
export const DATASET_NAMES = ['mnist', 'fashion-mnist'] as const;
export const DatasetName = z.enum(DATASET_NAMES);
export type DatasetName = z.infer<typeof DatasetName>;

/** TF.js backends a worker can train on; `auto` picks the fastest that loads. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export const BackendName = z.enum(BACKEND_NAMES);
export type BackendName = z.infer<typeof BackendName>;
export const BackendPreference = z.enum(['auto', ...BACKEND_NAMES]);
export type BackendPreference = z.infer<typeof BackendPreference>;

/** `stopped`: ended early by the sweep's early_terminate rule; keeps its epochs (not a failure). */
export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'stopped'] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;
