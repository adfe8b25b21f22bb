#!/usr/bin/env python3
"""Golden trajectories of torch.optim.AdamW (with LambdaLR linear warmup/decay and torch.nn.utils.clip_grad_norm_)
for the tests of AdamW, linearWarmupDecay and clipByGlobalNorm in packages/tensor-utils.

Made with: Debian /usr/bin/python3 (3.11) and python3-torch 1.13 (CPU, float32), nothing else.
Rerun:     /usr/bin/python3 tools/golden/make-adamw-golden.py
Writes:    packages/tensor-utils/test/fixtures/adamw-golden.json (~100 KB)

Each case: a few named parameters, 10 steps with the given gradients (generated here from a seeded torch.Generator
and stored, so the TypeScript side replays exactly the same float32 numbers). Parameters whose names contain 'bias'
or 'LayerNorm.weight' go to a param group with weight_decay 0 (transformers' convention). A gradient of null means
p.grad is None at that step: torch skips the parameter and does not advance its step count.
"""
import json
import os

import torch

NAMES = {
    'encoder.dense.weight': [3, 4],
    'encoder.dense.bias': [4],
    'encoder.LayerNorm.weight': [4],
    'encoder.LayerNorm.bias': [4],
    'decoder.weight': [2, 3],
}
STEPS = 10


def linear_warmup_decay(warmup, total):
    # transformers.get_linear_schedule_with_warmup's lr_lambda, written out (transformers is not installed here).
    def lr_lambda(step):
        if step < warmup:
            return step / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))
    return lr_lambda


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def run_case(name, seed, lr, betas, eps, weight_decay, grad_scale, schedule=None, max_norm=None, missing=()):
    gen = torch.Generator().manual_seed(seed)
    params = {n: torch.nn.Parameter(torch.randn(shape, generator=gen, dtype=torch.float32)) for n, shape in NAMES.items()}
    initial = {n: flat(p) for n, p in params.items()}
    no_decay = ('bias', 'LayerNorm.weight')
    groups = [
        {'params': [p for n, p in params.items() if not any(nd in n for nd in no_decay)], 'weight_decay': weight_decay},
        {'params': [p for n, p in params.items() if any(nd in n for nd in no_decay)], 'weight_decay': 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=False)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, linear_warmup_decay(*schedule)) if schedule else None
    steps = []
    for step in range(STEPS):
        grads = {}
        for n, p in params.items():
            if (step, n) in missing:
                p.grad = None
                grads[n] = None
            else:
                g = (torch.randn(p.shape, generator=gen, dtype=torch.float32) * grad_scale).to(torch.float32)
                p.grad = g.clone()
                grads[n] = flat(g)
        record = {'grads': grads, 'lr': opt.param_groups[0]['lr']}
        if max_norm is not None:
            total = torch.nn.utils.clip_grad_norm_([p for p in params.values() if p.grad is not None], max_norm)
            record['globalNorm'] = float(total)
            record['clippedGrads'] = {n: (flat(p.grad) if p.grad is not None else None) for n, p in params.items()}
        opt.step()
        if sched:
            sched.step()
        record['params'] = {n: flat(p) for n, p in params.items()}
        steps.append(record)
    state = opt.state
    return {
        'name': name,
        'config': {'lr': lr, 'beta1': betas[0], 'beta2': betas[1], 'epsilon': eps, 'weightDecay': weight_decay,
                   'schedule': {'warmupSteps': schedule[0], 'totalSteps': schedule[1]} if schedule else None,
                   'maxNorm': max_norm},
        'shapes': NAMES,
        'initial': initial,
        'steps': steps,
        'final': {n: {'step': int(state[p]['step']), 'exp_avg': flat(state[p]['exp_avg']), 'exp_avg_sq': flat(state[p]['exp_avg_sq'])}
                  for n, p in params.items()},
    }


def main():
    torch.set_num_threads(1)
    cases = [
        run_case('constant lr, torch defaults, decoder.weight has no gradient at steps 3 and 6', seed=1, lr=1e-3,
                 betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, grad_scale=1.0,
                 missing={(3, 'decoder.weight'), (6, 'decoder.weight')}),
        run_case('linear warmup 3 / total 10, betas (0.8, 0.95), eps 1e-6, wd 0.1, clip to 1.0', seed=2, lr=5e-2,
                 betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1, grad_scale=3.0, schedule=(3, 10), max_norm=1.0),
        run_case('tiny gradients (eps matters), wd 0.3', seed=3, lr=1e-2, betas=(0.9, 0.98), eps=1e-6,
                 weight_decay=0.3, grad_scale=1e-6),
    ]
    golden = {'torch': torch.__version__, 'cases': cases}
    out = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'tensor-utils', 'test', 'fixtures', 'adamw-golden.json')
    with open(out, 'w') as f:
        json.dump(golden, f)
        f.write('\n')
    print('wrote', os.path.normpath(out), os.path.getsize(out), 'bytes')


if __name__ == '__main__':
    main()
