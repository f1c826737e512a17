import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RunParams, TRAIN_JOB_SCHEMA_VERSION, type TrainJobPayload } from '@sweeplab/shared';
import { TrainingChild, TrainingChildError } from './child.ts';
import { encodeSyntheticCheckpoint } from './synthetic-trainer.ts';

// A real training child process (synthetic trainer): what it reports crosses the IPC protocol as it
// does in production, including whether a failure is worth a retry.
const child = new TrainingChild({
  env: { ...process.env, SWEEPLAB_CHILD_TRAINER: 'synthetic', LOG_LEVEL: 'silent' },
  killAfterMs: 1500,
  maxJobs: 10,
});
const children = [child];
after(() => {
  for (const c of children) c.kill();
});

function payload(epochs: number): TrainJobPayload {
  return {
    schema_version: TRAIN_JOB_SCHEMA_VERSION,
    run_id: 'run_child_test',
    sweep_id: null,
    params: RunParams.parse({ model: 'cnn', lr: 0.1, epochs }),
  };
}

function run(target: TrainingChild, resumeFrom: Uint8Array | null, fault: string | null, epochs = 3) {
  const epochsSeen: number[] = [];
  const result = target.run({
    payload: payload(epochs),
    resumeFrom,
    start: { backend: 'auto', trainer: 'synthetic', syntheticEpochMs: 0, syntheticFault: fault },
    onStarted: async () => {},
    onEpoch: async (metrics) => {
      epochsSeen.push(metrics.epoch);
    },
  });
  return { result, epochsSeen };
}

test('a child trains a job, acknowledging every epoch, and stays warm for the next', async () => {
  const first = run(child, null, null);
  assert.deepEqual(await first.result, { aborted: false });
  assert.deepEqual(first.epochsSeen, [1, 2, 3]);
  const resumed = run(child, encodeSyntheticCheckpoint(2), null);
  assert.deepEqual(await resumed.result, { aborted: false });
  assert.deepEqual(resumed.epochsSeen, [3], 'resumed after the checkpoint epoch');
  assert.equal(child.jobsStarted, 2);
});

test('a failure that a retry can fix arrives with permanent = null', async () => {
  const target = new TrainingChild({
    env: { ...process.env, SWEEPLAB_CHILD_TRAINER: 'synthetic' },
    killAfterMs: 1500,
    maxJobs: 10,
  });
  children.push(target);
  const { result, epochsSeen } = run(target, null, 'throw@2');
  const err = await result.then(
    () => assert.fail('the job should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TrainingChildError, String(err));
  assert.match(err.message, /injected fault at epoch 2/);
  assert.equal(err.permanent, null);
  assert.deepEqual(epochsSeen, [1]);
});

test('a failure that no retry can fix carries its permanent code across the protocol', async () => {
  const target = new TrainingChild({
    env: { ...process.env, SWEEPLAB_CHILD_TRAINER: 'synthetic' },
    killAfterMs: 1500,
    maxJobs: 10,
  });
  children.push(target);
  const { result } = run(target, new TextEncoder().encode('not a checkpoint'), null);
  const err = await result.then(
    () => assert.fail('the job should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TrainingChildError, String(err));
  assert.match(err.message, /SyntheticCheckpointError: checkpoint was not written by the synthetic trainer/);
  assert.equal(err.permanent, 'checkpoint');
});
