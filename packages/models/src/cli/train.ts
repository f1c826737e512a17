import { parseArgs } from 'node:util';
import { BackendPreference, parameterCount, RunParams } from '@sweeplab/shared';
import { initBackend } from '../backend/backend.ts';
import { trainingConfig } from '../config.ts';
import { trainRun } from '../training/train-run.ts';

const USAGE = `usage: npm run train -- --model resnet|cnn|plain [--dataset mnist|fashion-mnist] [--lr 0.1]
  [--epochs 1] [--batch-size 64] [--seed 0] [--momentum 0] [--train-subset N] [--val-subset N]
  [--optimizer sgd|adam|adamw|rmsprop] [--nesterov] [--weight-decay 0] [--depth 1]
  [--lr-schedule constant|step|cosine] [--lr-step-epochs N] [--lr-gamma 0.1] [--warmup-epochs 0]
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
        optimizer: { type: 'string' },
        nesterov: { type: 'boolean' },
        'weight-decay': { type: 'string' },
        'lr-schedule': { type: 'string' },
        'lr-step-epochs': { type: 'string' },
        'lr-gamma': { type: 'string' },
        'warmup-epochs': { type: 'string' },
        depth: { type: 'string' },
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
  optimizer: values.optimizer,
  nesterov: values.nesterov,
  weight_decay: number(values['weight-decay']),
  lr_schedule: values['lr-schedule'],
  lr_step_epochs: number(values['lr-step-epochs']),
  lr_gamma: number(values['lr-gamma']),
  warmup_epochs: number(values['warmup-epochs']),
  depth: number(values.depth),
});
if (!parsed.success) {
  console.error(
    `invalid arguments:\n${parsed.error.issues.map((i) => `  --${String(i.path[0]).replaceAll('_', '-')}: ${i.message}`).join('\n')}\n${USAGE}`,
  );
  process.exit(2);
}
const params = parsed.data;
const backend = await initBackend(BackendPreference.parse(values.backend ?? trainingConfig().TFJS_BACKEND));
console.log(
  `${params.model}${params.depth === 1 ? '' : ` depth ${params.depth}`} ` +
    `(${parameterCount(params.model, params.depth).toLocaleString('en-US')} parameters) on ${params.dataset}, ` +
    `lr ${params.lr}, batch ${params.batch_size}, seed ${params.seed}, momentum ${params.momentum}` +
    `${recipe(params)}; ` +
    `backend ${backend.backend} (tfjs ${backend.tfjsVersion}, ${backend.device})`,
);

/** The recipe where it is not the reference (sgd, constant lr), so reference runs print as before. */
function recipe(p: typeof params): string {
  const parts: string[] = [];
  if (p.optimizer !== 'sgd' || p.nesterov) parts.push(p.nesterov ? 'sgd nesterov' : p.optimizer);
  if (p.weight_decay !== 0) parts.push(`weight decay ${p.weight_decay}`);
  if (p.lr_schedule !== 'constant') parts.push(`${p.lr_schedule} lr`);
  if (p.warmup_epochs > 0) parts.push(`warmup ${p.warmup_epochs}`);
  return parts.map((part) => `, ${part}`).join('');
}

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
        `${m.epoch_seconds.toFixed(1)} s  ${m.images_per_second.toFixed(0)} img/s` +
        (params.lr_schedule !== 'constant' || params.warmup_epochs > 0 ? `  lr ${m.epoch_lr}` : ''),
    );
  },
});
if (result.aborted) process.exitCode = 130;
