"""Writes the PyTorch reference numbers the optimizer and lr-schedule tests compare against.

Cross-check only (Debian python3-torch; never a project dependency). Each optimizer case starts two
float32 tensors from torch.manual_seed(0), feeds the same five gradients to torch.optim, changes the lr
between steps as a schedule would, and records the parameters after every step. Each schedule case
records the lr torch.optim.lr_scheduler gives every epoch (SequentialLR: LinearLR warmup, then the
schedule), stepped once per epoch.

usage: /usr/bin/python3 packages/models/scripts/pytorch-optimizer-fixtures.py
       (writes packages/models/src/training/fixtures/torch-optimizers.json and
       packages/shared/src/fixtures/torch-lr-schedules.json)
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'training', 'fixtures')
SCHEDULES_OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'src', 'fixtures')
STEPS = 5
LR_FACTORS = [1.0, 1.0, 0.5, 0.5, 0.1]

OPTIMIZER_CASES = [
    {'name': 'sgd', 'optimizer': 'sgd', 'lr': 0.1, 'momentum': 0, 'nesterov': False, 'weight_decay': 0},
    {'name': 'sgd momentum', 'optimizer': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'nesterov': False, 'weight_decay': 0},
    {'name': 'sgd nesterov', 'optimizer': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0},
    {'name': 'sgd weight decay', 'optimizer': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'nesterov': False, 'weight_decay': 0.01},
    {'name': 'sgd nesterov weight decay', 'optimizer': 'sgd', 'lr': 0.05, 'momentum': 0.5, 'nesterov': True, 'weight_decay': 0.1},
    {'name': 'adam', 'optimizer': 'adam', 'lr': 0.01, 'momentum': 0, 'nesterov': False, 'weight_decay': 0},
    {'name': 'adam weight decay', 'optimizer': 'adam', 'lr': 0.01, 'momentum': 0, 'nesterov': False, 'weight_decay': 0.1},
    {'name': 'adamw', 'optimizer': 'adamw', 'lr': 0.01, 'momentum': 0, 'nesterov': False, 'weight_decay': 0.1},
    {'name': 'rmsprop', 'optimizer': 'rmsprop', 'lr': 0.01, 'momentum': 0, 'nesterov': False, 'weight_decay': 0},
    {'name': 'rmsprop momentum weight decay', 'optimizer': 'rmsprop', 'lr': 0.01, 'momentum': 0.9, 'nesterov': False, 'weight_decay': 0.01},
]


def make_optimizer(case, params):
    lr, wd = case['lr'], case['weight_decay']
    if case['optimizer'] == 'sgd':
        return torch.optim.SGD(params, lr=lr, momentum=case['momentum'], nesterov=case['nesterov'], weight_decay=wd)
    if case['optimizer'] == 'adam':
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if case['optimizer'] == 'adamw':
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    if case['optimizer'] == 'rmsprop':
        return torch.optim.RMSprop(params, lr=lr, momentum=case['momentum'], weight_decay=wd)
    raise ValueError(case['optimizer'])


def flat(t):
    return [float(x) for x in t.detach().flatten().tolist()]


def optimizer_fixture():
    torch.manual_seed(0)
    shapes = [[3, 4], [5]]
    initial = [torch.randn(*s, dtype=torch.float32) for s in shapes]
    grads = [[torch.randn(*s, dtype=torch.float32) for s in shapes] for _ in range(STEPS)]
    cases = []
    for case in OPTIMIZER_CASES:
        params = [p.clone().requires_grad_(True) for p in initial]
        opt = make_optimizer(case, params)
        after = []
        for step in range(STEPS):
            for group in opt.param_groups:
                group['lr'] = case['lr'] * LR_FACTORS[step]
            for p, g in zip(params, grads[step]):
                p.grad = g.clone()
            opt.step()
            after.append([flat(p) for p in params])
        cases.append({**case, 'after_step': after})
    return {
        'torch_version': torch.__version__,
        'shapes': shapes,
        'initial': [flat(p) for p in initial],
        'grads': [[flat(g) for g in step] for step in grads],
        'lr_factors': LR_FACTORS,
        'cases': cases,
    }


SCHEDULE_CASES = [
    {'lr_schedule': 'constant', 'epochs': 5, 'warmup_epochs': 0},
    {'lr_schedule': 'constant', 'epochs': 6, 'warmup_epochs': 3},
    {'lr_schedule': 'step', 'epochs': 7, 'warmup_epochs': 0, 'lr_step_epochs': 2, 'lr_gamma': 0.5},
    {'lr_schedule': 'step', 'epochs': 8, 'warmup_epochs': 1, 'lr_step_epochs': 3, 'lr_gamma': 0.1},
    {'lr_schedule': 'cosine', 'epochs': 6, 'warmup_epochs': 0},
    {'lr_schedule': 'cosine', 'epochs': 8, 'warmup_epochs': 2},
    {'lr_schedule': 'cosine', 'epochs': 30, 'warmup_epochs': 5},
]


def schedule_fixture():
    lr = 0.1
    cases = []
    for case in SCHEDULE_CASES:
        param = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([param], lr=lr)
        epochs, warmup = case['epochs'], case['warmup_epochs']
        if case['lr_schedule'] == 'constant':
            main = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
        elif case['lr_schedule'] == 'step':
            main = torch.optim.lr_scheduler.StepLR(opt, step_size=case['lr_step_epochs'], gamma=case['lr_gamma'])
        else:
            main = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs - warmup, eta_min=0)
        scheduler = main
        if warmup > 0:
            warm = torch.optim.lr_scheduler.LinearLR(
                opt, start_factor=1 / (warmup + 1), end_factor=1.0, total_iters=warmup
            )
            scheduler = torch.optim.lr_scheduler.SequentialLR(opt, [warm, main], milestones=[warmup])
        lrs = []
        for _ in range(epochs):
            lrs.append(opt.param_groups[0]['lr'])
            opt.step()
            scheduler.step()
        cases.append({'lr': lr, **case, 'epoch_lrs': lrs})
    return {'torch_version': torch.__version__, 'cases': cases}


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'torch-optimizers.json'), 'w') as f:
        json.dump(optimizer_fixture(), f, indent=1)
        f.write('\n')
    with open(os.path.join(SCHEDULES_OUT, 'torch-lr-schedules.json'), 'w') as f:
        json.dump(schedule_fixture(), f, indent=1)
        f.write('\n')
    print('wrote', OUT, SCHEDULES_OUT)
