"""PyTorch training/eval throughput of the three networks (resnet, plain, cnn), batch 64 (eval 250), SGD
lr 0.1, random data: the timing loop of /work/shared/bench/pytorch-models-throughput.py on the networks of
pytorch/sweeplab_models.py, plus a model filter,
so that `npm run bench:train` can put TF.js and PyTorch side by side in one run.
Debian python3-torch; never a project dependency.

usage: /usr/bin/python3 scripts/pytorch-throughput.py [THREADS] [SECONDS] [MODELS, comma-separated]
prints one line per model: name, train img/s, eval img/s, train img per CPU-second, eval img per CPU-second,
threads, torch version (tab-separated). CPU time (time.process_time) stays meaningful on a busy machine.
"""
import sys
import time
from pathlib import Path

import torch
from torch import nn

# The networks are the ones shipped for exported weights (same layers as the shared bench script's).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'pytorch'))
from sweeplab_models import build  # noqa: E402


threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 6
wanted = sys.argv[3].split(',') if len(sys.argv) > 3 else ['resnet', 'plain', 'cnn']
torch.set_num_threads(threads)
torch.manual_seed(0)
x = torch.rand(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))
xe = torch.rand(250, 1, 28, 28)
for name in wanted:
    m = build(name)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    lf = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        lf(m(x), y).backward()
        opt.step()

    for _ in range(3):
        step()
    n = 0
    t = time.time()
    c = time.process_time()
    while time.time() - t < seconds:
        step()
        n += 1
    train = 64 * n / (time.time() - t)
    train_cpu = 64 * n / (time.process_time() - c)
    with torch.no_grad():
        m(xe)
        n = 0
        t = time.time()
        c = time.process_time()
        while time.time() - t < seconds / 2:
            m(xe)
            n += 1
        ev = 250 * n / (time.time() - t)
        ev_cpu = 250 * n / (time.process_time() - c)
    print(f'{name}\t{train:.1f}\t{ev:.1f}\t{train_cpu:.1f}\t{ev_cpu:.1f}\t{threads}\t{torch.__version__}', flush=True)
