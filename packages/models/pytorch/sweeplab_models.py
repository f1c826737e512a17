"""PyTorch definitions of sweeplab's models, whose state_dict matches the safetensors files the API
serves (GET /v1/runs/:id/weights?format=safetensors): `model.load_state_dict(load_file(path))`.

- resnet / plain: the reference PyTorch ResNet (conv1, resblock1, conv2, resblock2, out, out1);
  plain is the same network without its shortcuts. With `depth` d > 1 (the run parameter: residual
  blocks per stage) each stage has d blocks: resblock1, resblock1_2, ..., resblock1_d, then conv2,
  resblock2, resblock2_2, ...; depth 1 is exactly the reference network.
- cnn: the traditional CNN (block1..block4 of 3x3 convolutions, each followed by ReLU, fc).

Inputs are (B, 1, 28, 28) images in [0, 1]; outputs are logits. PyTorch only; no other dependency.
"""
import json
import struct

import torch
from torch import nn
from torch.nn import functional as F


class ResBlock(nn.Module):
    def __init__(self, channels, shortcut=True):
        super().__init__()
        self.shortcut = shortcut
        self.conv1 = nn.Conv2d(channels, 30, 5, padding=2)
        self.conv2 = nn.Conv2d(30, channels, 3, padding=1)

    def forward(self, x):
        r = self.conv2(F.relu(self.conv1(x)))
        return F.relu(x + r if self.shortcut else r)


class ResNet(nn.Module):
    def __init__(self, shortcut=True, depth=1):
        super().__init__()
        if not isinstance(depth, int) or not 1 <= depth <= 8:
            raise ValueError(f'depth must be an integer from 1 to 8 (got {depth!r})')
        self.depth = depth
        self.conv1 = nn.Conv2d(1, 20, 5, padding=2)
        self._add_blocks(1, 20, shortcut)
        self.conv2 = nn.Conv2d(20, 15, 3, padding=1)
        self._add_blocks(2, 15, shortcut)
        self.out = nn.Linear(15 * 7 * 7, 5 * 7 * 7)
        self.out1 = nn.Linear(5 * 7 * 7, 10)

    @staticmethod
    def block_names(stage, depth):
        return [f'resblock{stage}'] + [f'resblock{stage}_{i}' for i in range(2, depth + 1)]

    def _add_blocks(self, stage, channels, shortcut):
        # Registered in order (after the stage's conv), so state_dict keys follow the exported order.
        for name in self.block_names(stage, self.depth):
            setattr(self, name, ResBlock(channels, shortcut))

    def _blocks(self, stage, x):
        for name in self.block_names(stage, self.depth):
            x = getattr(self, name)(x)
        return x

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = self._blocks(1, x)
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        x = self._blocks(2, x)
        return self.out1(F.relu(self.out(x.flatten(1))))


class ConvBlock(nn.Module):
    """3x3 'same' convolutions at one resolution, each followed by ReLU: conv1, conv2, ..."""

    def __init__(self, widths):
        super().__init__()
        self.count = len(widths) - 1
        for i in range(self.count):
            setattr(self, f'conv{i + 1}', nn.Conv2d(widths[i], widths[i + 1], 3, padding=1))

    def forward(self, x):
        for i in range(self.count):
            x = F.relu(getattr(self, f'conv{i + 1}')(x))
        return x


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.block1 = ConvBlock([1, 8, 8])
        self.block2 = ConvBlock([8, 16, 32, 32])
        self.block3 = ConvBlock([32, 16, 32, 32])
        self.block4 = ConvBlock([32, 256, 256])
        self.fc = nn.Linear(7 * 7 * 256, 10)

    def forward(self, x):
        x = self.block1(x)
        x = F.max_pool2d(self.block2(x), 2)
        x = F.max_pool2d(self.block3(x), 2)
        return self.fc(self.block4(x).flatten(1))


def build(model, depth=1):
    """The network of a run: `model` and the run parameter `depth` (resnet/plain only), e.g. from a
    safetensors file's metadata: build(meta['model'], json.loads(meta['params']).get('depth', 1))."""
    if model == 'resnet':
        return ResNet(depth=depth)
    if model == 'plain':
        return ResNet(shortcut=False, depth=depth)
    if model == 'cnn':
        if depth != 1:
            raise ValueError(f'model cnn has a fixed depth (got depth {depth!r})')
        return CNN()
    raise ValueError(f'unknown model {model!r}')


def load_safetensors(path):
    """(state_dict, metadata) from a safetensors file, read by hand (F32 only) so that the `safetensors`
    package is optional; with it installed, safetensors.torch.load_file(path) gives the same dict."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop('__metadata__', {})
    state = {}
    for name, entry in header.items():
        if entry['dtype'] != 'F32':
            raise ValueError(f'{name}: dtype {entry["dtype"]} not supported by this reader')
        begin, end = entry['data_offsets']
        buf = bytearray(data[8 + n + begin:8 + n + end])
        state[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(entry['shape']).clone()
    return state, metadata
