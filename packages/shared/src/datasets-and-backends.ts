import { z } from 'zod';

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
