#!/usr/bin/python3
"""The PyTorch side of tools/bench/bench-distill.mjs: one MiniLMv2 distillation step as @koenbert/distill runs it —
two teachers (inference, no grad) and a merged-vocab student, relation loss on Q/K/V of the last layers
(R relation heads, padded keys masked), AdamW (betas 0.9/0.98, eps 1e-6, wd 0.01 except bias/LayerNorm), clipping 1.0 —
written here with plain torch modules (post-LN BERT, exact GELU), no transformers.

Made with Debian /usr/bin/python3 3.11.2, torch 1.13.1 (python3-torch) with libopenblas0-pthread, torch.set_num_threads(1).
Usage: /usr/bin/python3 tools/bench/bench-distill-torch.py '<json args>'  (prints one JSON line; "threads" defaults to 1)
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F


class Bert(torch.nn.Module):
    def __init__(self, vocab, hidden, layers, heads, ffn, positions=512):
        super().__init__()
        self.heads = heads
        self.word = torch.nn.Embedding(vocab, hidden)
        self.pos = torch.nn.Embedding(positions, hidden)
        self.token_type = torch.nn.Embedding(2, hidden)
        self.ln = torch.nn.LayerNorm(hidden, eps=1e-12)
        self.layers = torch.nn.ModuleList()
        for _ in range(layers):
            self.layers.append(torch.nn.ModuleDict(dict(
                q=torch.nn.Linear(hidden, hidden), k=torch.nn.Linear(hidden, hidden), v=torch.nn.Linear(hidden, hidden),
                o=torch.nn.Linear(hidden, hidden), ln1=torch.nn.LayerNorm(hidden, eps=1e-12),
                up=torch.nn.Linear(hidden, ffn), down=torch.nn.Linear(ffn, hidden), ln2=torch.nn.LayerNorm(hidden, eps=1e-12))))
        for p in self.parameters():
            if p.dim() > 1:
                torch.nn.init.normal_(p, std=0.02)

    def forward(self, ids, mask, qkv_layer, dropout=0.0):
        b, s = ids.shape
        x = self.word(ids) + self.pos.weight[:s] + self.token_type.weight[0]
        x = F.dropout(self.ln(x), dropout, self.training)
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        out = None
        for i, layer in enumerate(self.layers):
            q, k, v = layer['q'](x), layer['k'](x), layer['v'](x)
            if i == qkv_layer:
                out = (q, k, v)
            split = lambda t: t.view(b, s, self.heads, -1).transpose(1, 2)
            scores = split(q) @ split(k).transpose(-1, -2) / math.sqrt(q.shape[-1] / self.heads) + bias
            ctx = (F.dropout(scores.softmax(-1), dropout, self.training) @ split(v)).transpose(1, 2).reshape(b, s, -1)
            x = layer['ln1'](x + F.dropout(layer['o'](ctx), dropout, self.training))
            x = layer['ln2'](x + F.dropout(layer['down'](F.gelu(layer['up'](x))), dropout, self.training))
        return out


def relation_kl(t, s, mask, r):
    def rel(x):
        b, n, h = x.shape
        heads = x.view(b, n, r, h // r).transpose(1, 2)
        scores = heads @ heads.transpose(-1, -2) / math.sqrt(h // r)
        return scores.masked_fill(mask[:, None, None, :] == 0, -1e9).log_softmax(-1)
    lt, ls = rel(t), rel(s)
    kl = (lt.exp() * (lt - ls)).sum(-1) * mask[:, None, :]
    return kl.sum() / (mask.sum() * r)


def main():
    a = json.loads(sys.argv[1])
    torch.set_num_threads(a.get('threads', 1))
    torch.manual_seed(0)
    cfg = dict(hidden=a['hidden'], layers=a['layers'], heads=a['heads'], ffn=a['ffn'])
    teachers = {lang: Bert(a['teacherVocab'][lang], **cfg).eval() for lang in ('en', 'ko')}
    student = Bert(a['studentVocab'], **cfg).train()
    decay = [p for n, p in student.named_parameters() if p.dim() > 1 and 'ln' not in n]
    no_decay = [p for n, p in student.named_parameters() if not (p.dim() > 1 and 'ln' not in n)]
    opt = torch.optim.AdamW([dict(params=decay, weight_decay=0.01), dict(params=no_decay, weight_decay=0.0)], lr=5e-5, betas=(0.9, 0.98), eps=1e-6)
    b, s, r, last = a['batch'], a['seq'], a['relationHeads'], a['layers'] - 1
    times = []
    for step in range(a['warmup'] + a['steps']):
        lang = 'en' if step % 2 == 0 else 'ko'
        teacher_ids = torch.randint(0, a['teacherVocab'][lang], (b, s))
        student_ids = torch.randint(0, a['studentVocab'], (b, s))
        mask = torch.ones(b, s, dtype=torch.long)
        start = time.perf_counter()
        with torch.no_grad():
            tq = teachers[lang](teacher_ids, mask, last)
        sq = student(student_ids, mask, last, dropout=0.1)
        loss = sum(relation_kl(t, x, mask, r) for t, x in zip(tq, sq))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
        opt.step()
        if step >= a['warmup']:
            times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(stepSeconds=times, peakRssMb=peak_mb, torch=torch.__version__, threads=torch.get_num_threads())))


if __name__ == '__main__':
    main()
