import { loadEnv, trainingEnv } from '@sweeplab/shared';
import { z } from 'zod';

const trainingEnvSchema = z.object(trainingEnv);
export type TrainingConfig = z.infer<typeof trainingEnvSchema>;

/** The training engine's settings, validated from the environment (read on each call so tests can vary them). */
export function trainingConfig(source: Record<string, string | undefined> = process.env): TrainingConfig {
  return loadEnv(trainingEnvSchema, source);
}

/** Training defaults that are part of the experiment's definition rather than deployment settings. */
export const TRAINING_DEFAULTS = {
  /** Images per forward pass when measuring validation loss/accuracy; does not change the result. */
  evalBatchSize: 250,
} as const;
