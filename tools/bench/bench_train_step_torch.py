#!/usr/bin/python3
"""PyTorch side of tools/bench/bench-train-step.mjs: the same small BERT (vocab 8000, hidden 256, 4 layers, 4 heads,
FFN 1024, seq 128, batch 8), masked-LM loss + AdamW, written in plain torch (transformers is not installed here; the
model is BERT's math: post-LN, erf GELU, dropout 0.1, tied decoder). torch.set_num_threads(1), as FACTS.md found
fastest here (OpenBLAS uses both cores by itself); KOENBERT_BENCH_TORCH_THREADS changes it (MKL builds of torch, such as
PyPI's, use only the threads torch is given).

Made with: Debian /usr/bin/python3 3.11.2, torch 1.13 (python3-torch) with libopenblas0-pthread.
Run by the .mjs benchmark; alone:  /usr/bin/python3 tools/bench/bench_train_step_torch.py WARMUP STEPS
Prints one JSON line: {"torch": "...", "threads": 1, "ms": [per-step ms], "losses": [...]}.
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

from torch_bert_mlm import BertForMaskedLM

VOCAB, HIDDEN, LAYERS, HEADS, FFN, SEQ, BATCH = 8000, 256, 4, 4, 1024, 128, 8
LR, MASK_ID = 1e-4, 4


def batch(generator):
    ids = torch.randint(5, VOCAB, (BATCH, SEQ), generator=generator)
    labels = torch.full((BATCH, SEQ), -100)
    chosen = torch.rand(BATCH, SEQ, generator=generator) < 0.15
    labels[chosen] = ids[chosen]
    ids[chosen] = MASK_ID
    return ids, torch.ones(BATCH, SEQ, dtype=torch.int64), labels


def main():
    warmup, steps = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(int(os.environ.get('KOENBERT_BENCH_TORCH_THREADS', '1')))
    torch.manual_seed(0)
    model = BertForMaskedLM(VOCAB, HIDDEN, LAYERS, HEADS, FFN).train()
    no_decay = [p for n, p in model.named_parameters() if 'bias' in n or 'norm' in n]
    decay = [p for n, p in model.named_parameters() if not ('bias' in n or 'norm' in n)]
    optimizer = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], lr=LR)
    ids, mask, labels = batch(torch.Generator().manual_seed(1))
    times, losses = [], []
    for step in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(ids, mask).view(-1, VOCAB), labels.view(-1), ignore_index=-100)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        if step >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'ms': times, 'losses': losses}))


if __name__ == '__main__':
    main()
