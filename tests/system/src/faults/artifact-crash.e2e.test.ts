import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { LocalCluster } from '@sweeplab/testing';
import { postRun, startFaultCluster, waitForRun } from '@sweeplab/testing/fault-cluster';

interface ArtifactRow {
  run_id: string;
  kind: string;
  epoch: number;
  attempt: number;
  bytes: number;
  sha256: string;
}

const params = { model: 'resnet', lr: 0.1, epochs: 3, seed: 4, train_subset: 320, val_subset: 100 };

async function artifactsOf(cluster: LocalCluster, runId: string): Promise<ArtifactRow[]> {
  const res = await cluster.fetchJson<{ artifacts: ArtifactRow[] }>(`/v1/runs/${runId}/artifacts`);
  assert.equal(res.status, 200);
  return res.body.artifacts;
}

/**
 * Every row names a complete file whose bytes hash to the row's sha256, the folder holds exactly the
 * files rows name (no temp file, no orphan), and the run has one final artifact, of its last epoch.
 */
async function assertArtifactsConsistent(cluster: LocalCluster, runIds: string[]): Promise<void> {
  const dir = join(dirname(cluster.options.databasePath), 'artifacts');
  const named = new Set<string>();
  for (const runId of runIds) {
    // Artifacts are stored just before the run's terminal event; poll briefly for the final one.
    let rows: ArtifactRow[] = [];
    for (let i = 0; i < 50 && !rows.some((r) => r.kind === 'final'); i++) {
      rows = await artifactsOf(cluster, runId);
      if (!rows.some((r) => r.kind === 'final')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(
      rows.map((r) => r.kind).sort(),
      ['best', 'final'],
      `run ${runId}: one best and one final artifact`,
    );
    assert.equal(rows.find((r) => r.kind === 'final')!.epoch, params.epochs);
    for (const row of rows) {
      const bytes = readFileSync(join(dir, `${row.sha256}.safetensors`));
      assert.equal(bytes.length, row.bytes, `${runId} ${row.kind}: file length`);
      assert.equal(
        createHash('sha256').update(bytes).digest('hex'),
        row.sha256,
        `${runId} ${row.kind}: sha256`,
      );
      named.add(`${row.sha256}.safetensors`);
    }
  }
  assert.deepEqual(readdirSync(dir).sort(), [...named].sort(), 'the folder holds exactly the named files');
}

// The epoch row's event and the artifact's weights leave the worker in one Redis script, so no kill can
// separate them; this kills the worker right after an epoch was committed (its best artifact with it)
// and checks that the resumed run ends with each artifact once and intact.
test('kill -9 of the worker after an epoch and its artifact were committed: each artifact once, files intact', async () => {
  const cluster = await startFaultCluster('artifact-worker-kill', {
    workers: 1,
    workerEnv: { WORKER_TRAINER: 'tfjs' },
  });
  const id = await postRun(cluster, params);
  await waitForRun(cluster, id, 'epoch 1 stored', (r) => r.metrics.length >= 1, 120_000);
  const victim = cluster.workers[0]!;
  victim.process.kill('SIGKILL');
  await victim.exited;
  cluster.startWorker();
  const run = await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 240_000);
  assert.ok(run.attempt >= 2, `attempt ${run.attempt}: the run was picked up again`);
  await assertArtifactsConsistent(cluster, [id]);
});

// The API dies half-way through writing an artifact file (the test-only ARTIFACT_WRITE_FAULT makes it
// SIGKILL itself there). The half-written temp file never becomes an artifact; after a restart the
// ingester re-reads the unacknowledged event and stores the artifact once, completely.
test('kill -9 of the API mid-write: after a restart every artifact is complete and appears once', async () => {
  const cluster = await startFaultCluster('artifact-api-kill', {
    workers: 1,
    workerEnv: { WORKER_TRAINER: 'tfjs' },
  });
  await cluster.stopService(cluster.api, 'SIGKILL');
  await cluster.startApi({ ARTIFACT_WRITE_FAULT: 'kill-mid-write' });
  const id = await postRun(cluster, params);
  const exit = await cluster.api.exited;
  assert.equal(exit.signal, 'SIGKILL', 'the API killed itself while writing the first artifact');
  const dir = join(dirname(cluster.options.databasePath), 'artifacts');
  assert.ok(
    readdirSync(dir).some((name) => name.startsWith('.tmp-')),
    'a half-written temp file was left behind',
  );

  await cluster.startApi();
  await waitForRun(cluster, id, 'completed', (r) => r.status === 'completed', 240_000);
  await assertArtifactsConsistent(cluster, [id]);
});
