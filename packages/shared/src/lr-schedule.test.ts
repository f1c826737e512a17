import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type LrScheduleParams, learningRateAt } from './lr-schedule.ts';

/** Per-epoch lr from torch.optim.lr_scheduler (packages/models/scripts/pytorch-optimizer-fixtures.py). */
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/torch-lr-schedules.json', import.meta.url), 'utf8'),
) as {
  cases: (Partial<LrScheduleParams> & Pick<LrScheduleParams, 'lr' | 'epochs'> & { epoch_lrs: number[] })[];
};

for (const c of fixture.cases) {
  const params: LrScheduleParams = {
    lr_schedule: 'constant',
    lr_step_epochs: null,
    lr_gamma: 0.1,
    warmup_epochs: 0,
    ...c,
  };
  test(`${params.lr_schedule}, ${params.epochs} epochs, warmup ${params.warmup_epochs}: PyTorch's lr every epoch`, () => {
    const ours = Array.from({ length: params.epochs }, (_, i) => learningRateAt(params, i + 1));
    ours.forEach((lr, i) => {
      assert.ok(
        Math.abs(lr - c.epoch_lrs[i]!) <= 1e-12,
        `epoch ${i + 1}: ours ${lr}, torch ${c.epoch_lrs[i]}`,
      );
    });
  });
}

test('cosine ends near 0 and never trains an epoch at lr 0', () => {
  const p: LrScheduleParams = {
    lr: 0.1,
    epochs: 10,
    lr_schedule: 'cosine',
    lr_step_epochs: null,
    lr_gamma: 0.1,
    warmup_epochs: 0,
  };
  assert.equal(learningRateAt(p, 1), 0.1);
  assert.ok(learningRateAt(p, 10) > 0 && learningRateAt(p, 10) < 0.003);
});
