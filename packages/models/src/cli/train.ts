import { parseArgs } from 'node:util';
import { BackendPreference, parameterCount, RunParams } from '@sweeplab/shared';
import { initBackend } from '../backend/backend.ts';
import { trainingConfig } from '../config.ts';
import { trainRun } from '../training/train-run.ts';

const USAGE = `usage: npm run train -- --model resnet|cnn|plain [--dataset mnist|fashion-mnist] [--lr 0.1]
  [--epochs 1] [--batch-size 64] [--seed 0] [--momentum 0] [--train-subset N] [--val-subset N]
  [--backend auto|tensorflow|wasm|cpu]   (default: TFJS_BACKEND, else auto)`;

function parseFlags() {
  try {
    return parseArgs({
      options: {
        model: { type: 'string' },
        dataset: { type: 'string' },
        lr: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        seed: { type: 'string' },
        momentum: { type: 'string' },
        'train-subset': { type: 'string' },
        'val-subset': { type: 'string' },
        backend: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { values } = parseFlags();

if (values.help || !values.model) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const parsed = RunParams.safeParse({
  model: values.model,
  dataset: values.dataset,
  lr: number(values.lr) ?? 0.1,
  epochs: number(values.epochs) ?? 1,
  batch_size: number(values['batch-size']),
  seed: number(values.seed),
  momentum: number(values.momentum),
  train_subset: number(values['train-subset']),
  val_subset: number(values['val-subset']),
});
if (!parsed.success) {
  console.error(
    `invalid arguments:\n${parsed.error.issues.map((i) => `  --${String(i.path[0]).replace('_', '-')}: ${i.message}`).join('\n')}\n${USAGE}`,
  );
  process.exit(2);
}
const params = parsed.data;
const backend = await initBackend(BackendPreference.parse(values.backend ?? trainingConfig().TFJS_BACKEND));
console.log(
  `${params.model} (${parameterCount(params.model).toLocaleString('en-US')} parameters) on ${params.dataset}, ` +
    `lr ${params.lr}, batch ${params.batch_size}, seed ${params.seed}, momentum ${params.momentum}; ` +
    `backend ${backend.backend} (tfjs ${backend.tfjsVersion}, ${backend.device})`,
);

const controller = new AbortController();
process.once('SIGINT', () => {
  console.log('interrupted: stopping after the current batch');
  controller.abort();
});
const result = await trainRun({
  params,
  signal: controller.signal,
  onEpoch: async (m) => {
    console.log(
      `epoch ${m.epoch}/${params.epochs}  train_loss ${m.train_loss.toFixed(4)}  train_acc ${(100 * m.train_acc).toFixed(2)}%  ` +
        `val_loss ${m.val_loss.toFixed(4)}  val_acc ${(100 * m.val_acc).toFixed(2)}%  ` +
        `${m.epoch_seconds.toFixed(1)} s  ${m.images_per_second.toFixed(0)} img/s`,
    );
  },
});
if (result.aborted) process.exitCode = 130;
