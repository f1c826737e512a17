// `tsx scripts/export-artifact.ts train --model plain --lr 0.1 --epochs 3 --train-subset 6000 --val-subset 2000 OUT`
// `tsx scripts/export-artifact.ts perturbed --model cnn [--depth 1] [--scale 3] [--seed 0] [--val-subset 500] OUT`
// Writes a safetensors artifact with checkpointToSafetensors (the function the API's ArtifactStore
// uses), for packages/models/pytorch/check_artifact.py to load into PyTorch.
// - train: a real training run; the last epoch's weights and val_acc.
// - perturbed: no training; randomly perturbed weights whose logits vary strongly from image to image
//   (see src/export/perturbed-artifact.ts), so a layout mistake shows in the logits and classes.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RunParams } from '@sweeplab/shared';
import { initBackend } from '../src/backend/backend.ts';
import { checkpointToSafetensors } from '../src/export/model-artifact.ts';
import { perturbedArtifact } from '../src/export/perturbed-artifact.ts';
import { trainRun } from '../src/training/train-run.ts';

const USAGE = `usage: tsx scripts/export-artifact.ts train|perturbed --model resnet|plain|cnn [--lr 0.1] [--epochs 1]
  [--momentum 0] [--depth 1] [--train-subset N] [--val-subset N] [--scale 3] [--seed 0] OUT.safetensors`;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string' },
    lr: { type: 'string', default: '0.1' },
    epochs: { type: 'string', default: '1' },
    momentum: { type: 'string', default: '0' },
    depth: { type: 'string', default: '1' },
    'train-subset': { type: 'string' },
    'val-subset': { type: 'string' },
    scale: { type: 'string', default: '3' },
    seed: { type: 'string', default: '0' },
  },
});
const [mode, out] = positionals;
if ((mode !== 'train' && mode !== 'perturbed') || !out || !values.model) {
  console.error(USAGE);
  process.exit(2);
}
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const params = RunParams.parse({
  model: values.model,
  lr: num(values.lr),
  epochs: num(values.epochs),
  momentum: num(values.momentum),
  depth: num(values.depth),
  seed: num(values.seed),
  train_subset: num(values['train-subset']),
  val_subset: num(values['val-subset']) ?? (mode === 'perturbed' ? 500 : undefined),
});
await initBackend('auto');

let checkpoint: Uint8Array | undefined;
let valAcc = Number.NaN;
if (mode === 'train') {
  await trainRun({
    params,
    onEpoch: async (m, c) => {
      checkpoint = c;
      valAcc = m.val_acc;
      console.error(`epoch ${m.epoch}: train_acc ${m.train_acc.toFixed(4)} val_acc ${m.val_acc.toFixed(4)}`);
    },
  });
} else {
  const perturbed = perturbedArtifact(params.model, {
    seed: params.seed,
    scale: Number(values.scale),
    valSubset: params.val_subset ?? 500,
    depth: params.depth,
  });
  valAcc = perturbed.valAcc;
  console.error(`perturbed ${params.model} (scale ${values.scale}): val_acc ${valAcc.toFixed(4)} in TF.js`);
  writeFileSync(out, perturbed.file);
  console.error(`wrote ${out}`);
  process.exit(0);
}
const runId = `${mode}-${params.model}`;
writeFileSync(out, checkpointToSafetensors(checkpoint!, { runId, valAcc, codeVersion: 'export-artifact' }));
console.error(`wrote ${out}`);
