"""PyTorch training/eval throughput of the three networks (resnet, plain, cnn), batch 64 (eval 250), SGD
lr 0.1, random data: the networks and the timing loop of /work/shared/bench/pytorch-models-throughput.py,
plus a model filter, so that `npm run bench:train` can put TF.js and PyTorch side by side in one run.
Debian python3-torch; never a project dependency.

usage: /usr/bin/python3 scripts/pytorch-throughput.py [THREADS] [SECONDS] [MODELS, comma-separated]
prints one line per model: name, train img/s, eval img/s, train img per CPU-second, eval img per CPU-second,
threads, torch version (tab-separated). CPU time (time.process_time) stays meaningful on a busy machine.
"""
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F


class ResBlock(nn.Module):
    def __init__(self, c, skip=True):
        super().__init__()
        self.skip = skip
        self.conv1 = nn.Conv2d(c, 30, 5, padding=2)
        self.conv2 = nn.Conv2d(30, c, 3, padding=1)

    def forward(self, x):
        r = self.conv2(F.relu(self.conv1(x)))
        return F.relu(x + r if self.skip else r)


class ResNet(nn.Module):
    def __init__(self, skip=True):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5, padding=2)
        self.resblock1 = ResBlock(20, skip)
        self.conv2 = nn.Conv2d(20, 15, 3, padding=1)
        self.resblock2 = ResBlock(15, skip)
        self.out = nn.Linear(15 * 7 * 7, 5 * 7 * 7)
        self.out1 = nn.Linear(5 * 7 * 7, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = self.resblock1(x)
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        x = self.resblock2(x)
        return self.out1(F.relu(self.out(x.flatten(1))))


def block(widths):
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Conv2d(a, b, 3, padding=1), nn.ReLU()]
    return nn.Sequential(*layers)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.b1 = block([1, 8, 8])
        self.b2 = block([8, 16, 32, 32])
        self.b3 = block([32, 16, 32, 32])
        self.b4 = block([32, 256, 256])
        self.fc = nn.Linear(256 * 7 * 7, 10)

    def forward(self, x):
        x = self.b1(x)
        x = F.max_pool2d(self.b2(x), 2)
        x = F.max_pool2d(self.b3(x), 2)
        return self.fc(self.b4(x).flatten(1))


threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 6
wanted = sys.argv[3].split(',') if len(sys.argv) > 3 else ['resnet', 'plain', 'cnn']
torch.set_num_threads(threads)
torch.manual_seed(0)
x = torch.rand(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))
xe = torch.rand(250, 1, 28, 28)
factories = {'resnet': ResNet, 'plain': lambda: ResNet(skip=False), 'cnn': CNN}
for name in wanted:
    m = factories[name]()
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
