#!/usr/bin/python3
"""Golden file for the MiniLMv2 relation loss of @koenbert/distill (packages/distill/src/lib/losses/minilm-v2.ts).

An independent implementation: the relations of every (batch element, relation head) are computed in
float64 on the valid positions only (index_select, no large-negative masking), the KL divergence is
taken query by query and averaged over relation heads and valid queries of the batch. Gradients
with respect to the student's Q, K and V come from autograd in float64 and are checked here against
central finite differences (torch.autograd.gradcheck, eps 1e-6, atol 1e-7, rtol 1e-5).

Inputs are random float32 values (so TypeScript reads exactly the same numbers); the loss is
computed from them in float64.

Made with: Debian /usr/bin/python3 3.11.2, torch 1.13.0a0 (python3-torch 1.13.1), numpy 1.24.2.
Rerun (from the repository root):
  /usr/bin/python3 tools/golden/make-minilm-golden.py
writes packages/distill/test/fixtures/minilm-v2-golden.json (read by test/minilm-v2.test.ts).
"""
import json
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'distill', 'test', 'fixtures', 'minilm-v2-golden.json')

CASES = [
    # teacher and student differ in hidden size; R = 6 is not the attention head count (4) of either
    dict(name='padding, R=6, teacher H=24, student H=12', batch=2, seq=7, teacher_hidden=24, student_hidden=12, relation_heads=6,
         mask=[[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0]], weights=dict(qq=1, kk=1, vv=1), temperature=1.0, scale=1.5),
    # a hole in the mask, unequal weights, temperature 2
    dict(name='mask with a hole, R=4, weights 1/0.5/2, T=2', batch=3, seq=5, teacher_hidden=16, student_hidden=16, relation_heads=4,
         mask=[[1, 0, 1, 1, 0], [1, 1, 1, 1, 1], [1, 1, 0, 0, 0]], weights=dict(qq=1, kk=0.5, vv=2), temperature=2.0, scale=2.0),
    # one relation head, no padding, student wider than teacher
    dict(name='no padding, R=1, teacher H=8, student H=12', batch=1, seq=4, teacher_hidden=8, student_hidden=12, relation_heads=1,
         mask=[[1, 1, 1, 1]], weights=dict(qq=1, kk=1, vv=1), temperature=1.0, scale=1.0),
]


def relation_kl(teacher, student, mask, relation_heads, temperature):
    """KL(teacher || student) of one relation type, averaged over relation heads and valid queries."""
    total = torch.zeros((), dtype=torch.float64)
    count = 0
    for b in range(teacher.shape[0]):
        valid = torch.tensor([i for i, m in enumerate(mask[b]) if m == 1])
        t = teacher[b].index_select(0, valid)
        s = student[b].index_select(0, valid)
        dt = t.shape[1] // relation_heads
        ds = s.shape[1] // relation_heads
        for r in range(relation_heads):
            th = t[:, r * dt:(r + 1) * dt]
            sh = s[:, r * ds:(r + 1) * ds]
            pt = torch.softmax(th @ th.T / (math.sqrt(dt) * temperature), dim=1)
            log_ps = torch.log_softmax(sh @ sh.T / (math.sqrt(ds) * temperature), dim=1)
            for q in range(len(valid)):
                total = total + torch.sum(pt[q] * (torch.log(pt[q]) - log_ps[q]))
                count += 1
    return total / count


def case_loss(case, teacher, student):
    per = {}
    for name, index in (('qq', 0), ('kk', 1), ('vv', 2)):
        per[name] = relation_kl(teacher[index], student[index], case['mask'], case['relation_heads'], case['temperature'])
    total = sum(case['weights'][name] * per[name] for name in per)
    return total, per


def tensor_json(x):
    return dict(shape=list(x.shape), data=[float(v) for v in x.detach().reshape(-1).tolist()])


def make_case(case, generator):
    def rand(hidden):
        x = torch.randn(case['batch'], case['seq'], hidden, generator=generator) * case['scale']
        return x.to(torch.float32).to(torch.float64)  # float32-representable inputs

    teacher = [rand(case['teacher_hidden']) for _ in range(3)]
    student = [rand(case['student_hidden']).requires_grad_(True) for _ in range(3)]
    total, per = case_loss(case, teacher, student)
    grads = torch.autograd.grad(total, student)

    def fn(q, k, v):
        return case_loss(case, teacher, [q, k, v])[0]

    assert torch.autograd.gradcheck(fn, tuple(student), eps=1e-6, atol=1e-7, rtol=1e-5)
    # a copy of the teacher as student gives 0 (only meaningful when the hidden sizes match)
    if case['teacher_hidden'] == case['student_hidden']:
        assert abs(case_loss(case, teacher, teacher)[0].item()) < 1e-12

    return dict(
        name=case['name'], relationHeads=case['relation_heads'], weights=case['weights'], temperature=case['temperature'],
        attentionMask=case['mask'],
        teacher=dict(query=tensor_json(teacher[0]), key=tensor_json(teacher[1]), value=tensor_json(teacher[2])),
        student=dict(query=tensor_json(student[0]), key=tensor_json(student[1]), value=tensor_json(student[2])),
        expected=dict(total=total.item(), qq=per['qq'].item(), kk=per['kk'].item(), vv=per['vv'].item()),
        studentGradients=dict(query=tensor_json(grads[0]), key=tensor_json(grads[1]), value=tensor_json(grads[2])),
    )


def main():
    generator = torch.Generator().manual_seed(20240601)
    golden = dict(
        producer='tools/golden/make-minilm-golden.py',
        versions=dict(torch=torch.__version__, numpy=np.__version__),
        note='inputs are float32 values; losses and gradients computed in float64',
        cases=[make_case(case, generator) for case in CASES],
    )
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(golden, f)
        f.write('\n')
    for case in golden['cases']:
        print(case['name'], case['expected'])
    print('wrote', os.path.normpath(OUT), os.path.getsize(OUT), 'bytes')


if __name__ == '__main__':
    main()
