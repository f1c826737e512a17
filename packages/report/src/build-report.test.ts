import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from './build-report.ts';
import type { Stat } from './descriptive-stats.ts';
import type { ConditionGroup } from './report.ts';
import { fixtureInput } from './test-fixture.ts';

const close = (actual: number | null | undefined, expected: number, tol: number, what: string) =>
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= tol,
    `${what}: got ${actual}, expected ${expected}`,
  );

function assertStat(stat: Stat | null, n: number, m: number, std: number | null, what: string) {
  assert.ok(stat, `${what}: missing`);
  assert.equal(stat.n, n, `${what}: n`);
  close(stat.mean, m, 1e-12, `${what}: mean`);
  if (std === null) assert.equal(stat.std, null, `${what}: std`);
  else close(stat.std, std, 1e-12, `${what}: std`);
}

function group(lr: number): ConditionGroup {
  const g = buildReport(fixtureInput()).groups.find((x) => x.condition.lr === lr);
  assert.ok(g, `no group for lr ${lr}`);
  return g;
}

test('groups by condition (lr ascending) and keeps the catalog model order', () => {
  const report = buildReport(fixtureInput());
  assert.deepEqual(
    report.groups.map((g) => g.key),
    ['mnist|lr=0.05|bs=64|m=0|ep=3|train=all|val=all', 'mnist|lr=0.1|bs=64|m=0|ep=3|train=all|val=all'],
  );
  assert.deepEqual(report.learningRates, [0.05, 0.1]);
  assert.deepEqual(
    group(0.1).models.map((m) => m.model),
    ['cnn', 'resnet', 'plain'],
  );
  assert.deepEqual(group(0.1).checkpoints, [1, 2, 3]);
  assert.equal(report.progress.total, 9);
  assert.equal(report.progress.completed, 7);
  assert.equal(report.progress.failed, 1);
  assert.equal(report.progress.running, 1);
  assert.equal(report.progress.inProgress, true);
  assert.deepEqual(report.source, { runRows: 9, epochRows: 23 });
});

test('per-model summary: final/best accuracy, best epoch, epochs to 98/99%, speed, params, backends', () => {
  const resnet = group(0.1).models.find((m) => m.model === 'resnet')!;
  // Values from mpmath on the fixture literals.
  assertStat(resnet.finalValAcc, 3, 0.9910333333333333, 0.0010503967504392486, 'resnet final');
  assertStat(resnet.bestValAcc, 3, 0.9912, 0.000818535277187245, 'resnet best');
  assertStat(resnet.bestEpoch, 3, 8 / 3, Math.sqrt(1 / 3), 'resnet best epoch (3, 2, 3)');
  assertStat(resnet.finalTrainLoss, 3, 0.05, 0.01, 'resnet final train loss');
  assertStat(resnet.secondsPerEpoch, 3, 11.166666666666668, 0.7637626158259734, 'resnet s/epoch');
  assertStat(resnet.imagesPerSecond, 3, 5500, 500, 'resnet images/s (5500, 6000, 5000)');
  assert.deepEqual(resnet.reach98.perRun, [2, 2, 2]);
  assertStat(resnet.reach98.epochs, 3, 2, 0, 'resnet to 98%');
  assert.deepEqual(resnet.reach99.perRun, [3, 2, 3]);
  assertStat(resnet.reach99.epochs, 3, 2.6666666666666665, 0.5773502691896257, 'resnet to 99%');
  assert.equal(resnet.parameters, 221_810);
  assert.deepEqual(resnet.backends, ['tensorflow', 'wasm']);
  assert.deepEqual(resnet.seeds, [0, 1, 2]);

  const cnn = group(0.1).models.find((m) => m.model === 'cnn')!;
  assert.equal(cnn.runsTotal, 3);
  assert.equal(cnn.runsInStatistics, 2, 'the failed seed is excluded');
  assertStat(cnn.finalValAcc, 2, 0.98, 0.00282842712474619, 'cnn final');
  assert.deepEqual(cnn.reach98.perRun, [3, null]);
  assert.equal(cnn.reach98.reached, 1);
  assert.equal(cnn.reach98.of, 2);
  assert.deepEqual(cnn.reach99, { threshold: 0.99, reached: 0, of: 2, epochs: null, perRun: [null, null] });

  const plain = group(0.1).models.find((m) => m.model === 'plain')!;
  assertStat(plain.finalValAcc, 1, 0.9944, null, 'plain final (one seed, no std)');
});

test('checkpoint table: mean ± sample std over completed seeds at each checkpoint', () => {
  const cells = group(0.1).checkpointTable;
  const cell = (model: string, epoch: number) => cells.find((c) => c.model === model && c.epoch === epoch)!;
  assertStat(cell('resnet', 1).trainLoss, 3, 0.3, 0.02, 'resnet e1 loss');
  assertStat(cell('resnet', 1).valAcc, 3, 0.9743333333333334, 0.00404145188432738, 'resnet e1 acc');
  assertStat(cell('resnet', 3).trainLoss, 3, 0.05, 0.01, 'resnet e3 loss');
  // The failed cnn seed has an epoch-1 row but is not in the table.
  assertStat(cell('cnn', 1).trainLoss, 2, 0.525, Math.sqrt(0.00125), 'cnn e1 loss');
  assertStat(cell('cnn', 2).valAcc, 2, 0.9725, 0.0035355339059327377, 'cnn e2 acc');
  assert.equal(cells.length, 9);
});

test('Welch comparison on final val acc, oriented higher − lower (mpmath values)', () => {
  const cmp = group(0.1).comparisons.find((c) => c.higher === 'resnet' && c.lower === 'cnn');
  assert.ok(cmp);
  assert.equal(cmp.test.kind, 'tested');
  if (cmp.test.kind !== 'tested') return;
  close(cmp.test.difference, 0.011033333333333332, 1e-12, 'difference');
  close(cmp.test.df, 1.1873239813764052, 1e-9, 'df');
  close(cmp.test.t, 5.27930158112145, 1e-9, 't');
  close(cmp.test.p, 0.09101620008980894, 1e-9, 'p');
  close(cmp.test.ci.low, -0.007407770136387006, 1e-9, 'CI low');
  close(cmp.test.ci.high, 0.029474436803053672, 1e-9, 'CI high');
  assert.equal(cmp.significant, false);
  assert.match(cmp.verdict, /not significant at 5%/);
  assert.match(cmp.verdict, /n = 3 vs 2/);

  const plainVsResnet = group(0.1).comparisons.find((c) => c.higher === 'plain' && c.lower === 'resnet');
  assert.ok(plainVsResnet);
  assert.equal(plainVsResnet.test.kind, 'too-few-samples');
  assert.equal(plainVsResnet.significant, null);
  assert.match(plainVsResnet.verdict, /only one seed of plain: no significance can be claimed/);
  assert.equal(group(0.1).comparisons.length, 3);
});

test('failed and running runs are listed with their error, not dropped', () => {
  const report = buildReport(fixtureInput());
  assert.deepEqual(
    report.excludedRuns.map((r) => [r.runId, r.status, r.reason]),
    [
      ['s1', 'running', 'still running (1 of 3 epochs so far)'],
      ['c2', 'failed', 'failed after 1 of 3 epochs'],
    ],
  );
  assert.equal(report.excludedRuns[1]?.error, 'loss became NaN at batch 412 <diverged> | "lr too high"');
  // lr 0.05: cnn has no completed run, so there is no comparison and a note says why.
  const g = group(0.05);
  assert.equal(g.comparisons.length, 0);
  assert.ok(g.notes.some((n) => n.includes('cnn has no completed run')));
  // ...but its partial curve is there, flagged as including a running run.
  const curve = g.curves.find((c) => c.model === 'cnn')!;
  assert.equal(curve.runningRuns, 1);
  assert.deepEqual(curve.points, [
    {
      epoch: 1,
      n: 1,
      trainLoss: { mean: 0.6, min: 0.6, max: 0.6 },
      valAcc: { mean: 0.93, min: 0.93, max: 0.93 },
    },
  ]);
});

test('best lr per model by mean final val acc, only when several lrs exist', () => {
  const resnetAt = (lr: number) => group(lr).models.find((m) => m.model === 'resnet')!;
  assert.equal(resnetAt(0.1).bestLr, true);
  assert.equal(resnetAt(0.05).bestLr, false);
  // cnn has a completed run at lr 0.1 only, plain was trained at one lr: nothing to choose between.
  assert.equal(group(0.1).models.find((m) => m.model === 'cnn')!.bestLr, null);
  assert.equal(group(0.1).models.find((m) => m.model === 'plain')!.bestLr, null);
  const single = buildReport({
    ...fixtureInput(),
    runs: fixtureInput().runs.filter((r) => r.lr === 0.1),
    epochs: fixtureInput().epochs.filter((e) => !e.run_id.startsWith('s')),
  });
  assert.ok(single.groups[0]!.models.every((m) => m.bestLr === null));
});

test('curves: mean and min–max band per epoch over seeds', () => {
  const curve = group(0.1).curves.find((c) => c.model === 'resnet')!;
  assert.equal(curve.points.length, 3);
  const p1 = curve.points[0]!;
  assert.equal(p1.n, 3);
  close(p1.trainLoss?.mean, 0.3, 1e-12, 'mean loss e1');
  assert.equal(p1.trainLoss?.min, 0.28);
  assert.equal(p1.trainLoss?.max, 0.32);
  assert.equal(p1.valAcc?.min, 0.97);
});

test('a completed run missing its final epoch is excluded with a warning; bad rows throw with context', () => {
  const input = fixtureInput();
  input.epochs = input.epochs.filter((e) => !(e.run_id === 'r2' && e.epoch === 3));
  const report = buildReport(input);
  assert.ok(report.warnings.some((w) => w.includes('run r2') && w.includes('final epoch 3')));
  assert.ok(
    report.excludedRuns.some(
      (r) => r.runId === 'r2' && r.reason === 'completed without a usable row for epoch 3',
    ),
  );
  assert.equal(
    report.groups.find((g) => g.condition.lr === 0.1)!.models.find((m) => m.model === 'resnet')!.finalValAcc
      ?.n,
    2,
  );

  const orphan = fixtureInput();
  orphan.epochs.push({ ...orphan.epochs[0]!, run_id: 'nope' });
  assert.throws(() => buildReport(orphan), /sweep sw_1: epoch row 1 belongs to run nope/);
  const dup = fixtureInput();
  dup.epochs.push({ ...dup.epochs[0]! });
  assert.throws(() => buildReport(dup), /run r0 has two rows for epoch 1/);
});

test('the report is plain JSON and deterministic', () => {
  const a = buildReport(fixtureInput());
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  assert.equal(JSON.stringify(buildReport(fixtureInput())), JSON.stringify(a));
});

test('runs that differ in their recipe land in separate groups, models compared inside each', () => {
  const input = fixtureInput();
  // Re-run the lr 0.1 resnet and plain runs at depth 3 with adamw: a new condition of its own.
  const deep = input.runs
    .filter((r) => r.lr === 0.1 && (r.model === 'resnet' || r.model === 'plain'))
    .map((r) => ({ ...r, id: `${r.id}-deep`, depth: 3, optimizer: 'adamw' as const, weight_decay: 0.01 }));
  input.runs.push(...deep);
  input.epochs.push(
    ...input.epochs
      .filter((e) => deep.some((d) => d.id === `${e.run_id}-deep`))
      .map((e) => ({ ...e, run_id: `${e.run_id}-deep`, val_acc: e.val_acc - 0.1 })),
  );
  const report = buildReport(input);
  const deepGroup = report.groups.find((g) => g.condition.depth === 3);
  assert.ok(deepGroup, report.groups.map((g) => g.key).join('\n'));
  assert.match(deepGroup.key, /\|optimizer=adamw\|weight_decay=0\.01\|depth=3$/);
  assert.deepEqual(
    deepGroup.models.map((m) => [m.model, m.parameters]),
    [
      ['resnet', 293_400],
      ['plain', 293_400],
    ],
  );
  assert.ok(deepGroup.comparisons.length > 0, 'resnet and plain are compared at depth 3');
  const reference = report.groups.find((g) => g.condition.lr === 0.1 && g.condition.depth === 1);
  assert.ok(reference);
  assert.ok(!reference.key.includes('optimizer='), 'reference keys are unchanged');
  assert.equal(reference.models.find((m) => m.model === 'resnet')?.runsTotal, 3);
});
