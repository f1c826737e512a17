import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFERENCE_RECIPE } from '@sweeplab/shared';
import { applyRunEvents } from './apply-run-events.ts';
import { createRun, createSweep } from './create-runs.ts';
import { csvField, metricsToCsv } from './metrics-csv.ts';
import { type MetricsRow, queryMetrics } from './query-metrics.ts';
import { ev, params, T0, testDb } from './test-db.ts';

function seed(t: ReturnType<typeof testDb>) {
  createSweep(t.db, {
    id: 's1',
    name: 'cnn vs resnet',
    method: 'grid',
    config: {},
    now: T0,
    runs: [
      { id: 'cnn-a', params: params({ model: 'cnn', lr: 0.1 }) },
      { id: 'res-a', params: params({ model: 'resnet', lr: 0.1 }) },
      { id: 'res-b', params: params({ model: 'resnet', lr: 0.01, seed: 1 }) },
    ],
  });
  createRun(t.db, { id: 'fashion', params: params({ dataset: 'fashion-mnist' }), now: T0 + 1 });
  for (const id of ['cnn-a', 'res-a', 'res-b', 'fashion']) {
    applyRunEvents(t.db, [ev.started(id), ev.epoch(id, 1), ev.epoch(id, 2), ev.epoch(id, 3)]);
  }
  applyRunEvents(t.db, [ev.completed('res-a')]);
}

test('queryMetrics filters by sweep, model, dataset, status and lr, with the run params on each row', () => {
  const t = testDb('metrics-filters');
  try {
    seed(t);
    assert.equal(queryMetrics(t.db, { limit: 100 }).total, 12);
    assert.equal(queryMetrics(t.db, { sweepId: 's1', limit: 100 }).total, 9);
    assert.equal(queryMetrics(t.db, { dataset: 'fashion-mnist', limit: 100 }).total, 3);
    assert.equal(queryMetrics(t.db, { status: 'completed', limit: 100 }).total, 3);
    assert.equal(queryMetrics(t.db, { runId: 'cnn-a', limit: 100 }).total, 3);
    const { rows, total } = queryMetrics(t.db, { sweepId: 's1', model: 'resnet', lr: 0.01, limit: 100 });
    assert.equal(total, 3);
    assert.deepEqual(rows[0], {
      run_id: 'res-b',
      sweep_id: 's1',
      model: 'resnet',
      dataset: 'mnist',
      lr: 0.01,
      batch_size: 64,
      momentum: 0,
      seed: 1,
      epochs: 3,
      train_subset: null,
      val_subset: null,
      ...REFERENCE_RECIPE,
      status: 'running',
      epoch: 1,
      train_loss: 1,
      train_acc: 0.5,
      val_loss: 0.4,
      val_acc: 0.9,
      epoch_seconds: 2,
      images_per_second: 1000,
      epoch_lr: null,
    } satisfies MetricsRow);
  } finally {
    t.close();
  }
});

test('queryMetrics pages in run-then-epoch order and reports the total regardless of the page', () => {
  const t = testDb('metrics-pages');
  try {
    seed(t);
    const all = queryMetrics(t.db, { limit: 100 }).rows.map((r) => `${r.run_id}:${r.epoch}`);
    assert.deepEqual(all.slice(0, 4), ['cnn-a:1', 'cnn-a:2', 'cnn-a:3', 'res-a:1']);
    assert.equal(all.at(-1), 'fashion:3');
    const pages: string[] = [];
    for (let offset = 0; offset < 12; offset += 5) {
      const page = queryMetrics(t.db, { limit: 5, offset });
      assert.equal(page.total, 12);
      pages.push(...page.rows.map((r) => `${r.run_id}:${r.epoch}`));
    }
    assert.deepEqual(pages, all);
    assert.deepEqual(queryMetrics(t.db, { limit: 5, offset: 100 }), { rows: [], total: 12 });
    assert.throws(() => queryMetrics(t.db, { limit: -1 }), /limit must be/);
    assert.throws(() => queryMetrics(t.db, { limit: 1, offset: 1.5 }), /offset must be/);
  } finally {
    t.close();
  }
});

test('metricsToCsv writes a header and one CRLF line per row; fields are quoted per RFC 4180', () => {
  const t = testDb('metrics-csv');
  try {
    seed(t);
    const { rows } = queryMetrics(t.db, { runId: 'cnn-a', limit: 1 });
    assert.equal(
      metricsToCsv(rows),
      'run_id,sweep_id,model,dataset,lr,batch_size,momentum,seed,epochs,train_subset,val_subset,' +
        'optimizer,nesterov,weight_decay,lr_schedule,lr_step_epochs,lr_gamma,warmup_epochs,depth,status,epoch,' +
        'train_loss,train_acc,val_loss,val_acc,epoch_seconds,images_per_second,epoch_lr\r\n' +
        'cnn-a,s1,cnn,mnist,0.1,64,0,0,3,,,sgd,false,0,constant,,0.1,0,1,running,1,1,0.5,0.4,0.9,2,1000,\r\n',
    );
    const single = queryMetrics(t.db, { runId: 'fashion', limit: 1 }).rows;
    assert.match(metricsToCsv(single), /\r\nfashion,,cnn,fashion-mnist,/);
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\r'), '"cr\r"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(0.001), '0.001');
  } finally {
    t.close();
  }
});

test('recipe parameters are stored, filterable, and each epoch keeps the lr it trained at', () => {
  const t = testDb('metrics-recipe');
  try {
    createRun(t.db, {
      id: 'adam-cos',
      params: params({
        model: 'resnet',
        optimizer: 'adamw',
        weight_decay: 0.01,
        lr_schedule: 'cosine',
        warmup_epochs: 1,
        depth: 2,
      }),
    });
    createRun(t.db, { id: 'sgd-ref', params: params({ model: 'resnet' }) });
    const epoch = (run: string, e: number, lr: number) => {
      const event = ev.epoch(run, e);
      if (event.type === 'epoch') event.metrics.epoch_lr = lr;
      return event;
    };
    applyRunEvents(t.db, [
      ev.started('adam-cos'),
      epoch('adam-cos', 1, 0.05),
      epoch('adam-cos', 2, 0.1),
      ev.started('sgd-ref'),
      ev.epoch('sgd-ref', 1),
    ]);
    const adam = queryMetrics(t.db, { optimizer: 'adamw', depth: 2, lr_schedule: 'cosine', limit: 10 });
    assert.equal(adam.total, 2);
    assert.deepEqual(
      adam.rows.map((r) => [r.run_id, r.epoch, r.epoch_lr, r.weight_decay, r.warmup_epochs, r.nesterov]),
      [
        ['adam-cos', 1, 0.05, 0.01, 1, false],
        ['adam-cos', 2, 0.1, 0.01, 1, false],
      ],
    );
    const reference = queryMetrics(t.db, { optimizer: 'sgd', depth: 1, limit: 10 }).rows;
    assert.deepEqual(
      reference.map((r) => [r.run_id, r.epoch_lr]),
      [['sgd-ref', null]],
      'an epoch event without lr (an older worker) stores null',
    );
  } finally {
    t.close();
  }
});
