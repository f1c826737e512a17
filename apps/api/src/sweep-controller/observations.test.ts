import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunHistory } from '@sweeplab/db';
import { SweepConfig } from '@sweeplab/shared';
import { buildSearchSpace } from './search-space.ts';
import { observationsOf } from './sweep-controller.ts';

const config = SweepConfig.parse({
  name: 'obs',
  method: 'bayes',
  metric: { name: 'val_acc', goal: 'maximize' },
  parameters: {
    model: { value: 'cnn' },
    epochs: { value: 3 },
    lr: { distribution: 'uniform', min: 0, max: 1 },
  },
});
const plan = {
  config,
  metric: 'val_acc',
  goal: 'maximize',
  space: buildSearchSpace(config.parameters),
} as const;
const run = (id: string, status: RunHistory['status'], lr: number, history: number[]): RunHistory => ({
  id,
  status,
  epochs: 3,
  params: { lr },
  history,
  arrivals: history.map((_, i) => i),
});

test('observations: completed = best value, stopped = last value, failed = worst seen, cancelled and in flight left out', () => {
  const obs = observationsOf(plan, [
    run('done', 'completed', 0.5, [0.6, 0.9, 0.8]),
    run('stopped', 'stopped', 0.25, [0.4, 0.3]),
    run('failed', 'failed', 0.75, []),
    run('cancelled', 'cancelled', 0.1, [0.95]),
    run('running', 'running', 0.2, [0.99]),
  ]);
  // Lower is better: maximize flips the sign.
  assert.deepEqual(
    obs.map((o) => [o.point[0], o.value]),
    [
      [0.5, -0.9],
      [0.25, -0.3],
      [0.75, -0.3],
    ],
  );
});
