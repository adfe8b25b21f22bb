#!/usr/bin/python3
"""PyTorch side of tools/bench/bench-mlm-masked.mjs: a training step of BERT masked-LM as transformers'
BertForMaskedLM does it — the MLM transform and the tied vocabulary decoder on EVERY position, then cross-entropy
with ignore_index -100 on the unmasked ones — plus global-norm clipping and AdamW. Plain torch (transformers is not
installed here); the model is BERT's math: post-LN, erf GELU, dropout 0.1, token-type embeddings, tied decoder.
torch.set_num_threads(1) (FACTS.md: fastest here); OpenBLAS runs OPENBLAS_NUM_THREADS threads (the .mjs sets it).

Made with: Debian /usr/bin/python3 3.11.2, python3-torch 1.13.1+dfsg-4, libopenblas0-pthread 0.3.21.
A worker: started once per shape with  VOCAB HIDDEN LAYERS HEADS FFN BATCH SEQ,  it prints one JSON line
{"torch", "threads", "openblas"}, then for each line "N" on stdin runs N training steps and prints
{"ms": [per-step ms], "losses": [...]}. It exits at end of input.
"""
import ctypes
import json
import sys
import time

import torch
import torch.nn.functional as F

from torch_bert_mlm import BertForMaskedLM

LR, MASK_ID = 1e-4, 4


def openblas_threads():
    """OpenBLAS's thread count, read from the library torch loaded (None when it is not OpenBLAS)."""
    for line in open('/proc/self/maps'):
        path = line.split()[-1]
        if 'openblas' in path:
            try:
                return ctypes.CDLL(path).openblas_get_num_threads()
            except (OSError, AttributeError):
                return None
    return None


def main():
    vocab, hidden, layers, heads, ffn, batch, seq = (int(a) for a in sys.argv[1:8])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = BertForMaskedLM(vocab, hidden, layers, heads, ffn).train()
    no_decay = [p for n, p in model.named_parameters() if 'bias' in n or 'norm' in n]
    decay = [p for n, p in model.named_parameters() if not ('bias' in n or 'norm' in n)]
    optimizer = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], lr=LR)
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(5, vocab, (batch, seq), generator=generator)
    labels = torch.full((batch, seq), -100)
    chosen = torch.rand(batch, seq, generator=generator) < 0.15
    labels[chosen] = ids[chosen]
    ids[chosen] = MASK_ID
    mask = torch.ones(batch, seq, dtype=torch.int64)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'openblas': openblas_threads()}), flush=True)
    for line in sys.stdin:
        times, losses = [], []
        for _ in range(int(line)):
            start = time.perf_counter()
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(ids, mask).view(-1, vocab), labels.view(-1), ignore_index=-100)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            losses.append(loss.item())
            times.append((time.perf_counter() - start) * 1000)
        print(json.dumps({'ms': times, 'losses': losses}), flush=True)


if __name__ == '__main__':
    main()
