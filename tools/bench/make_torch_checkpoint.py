#!/usr/bin/python3
"""Writes a random MiniLM-shaped BERT state dict (vocab 30522, hidden 384, 6 layers, FFN 1536; 22.7M
float32 parameters, ~91 MB) with torch.save, then times torch.load of it (best of 3) and prints JSON.
Used by checkpoint-io-bench.mjs. Debian /usr/bin/python3 3.11.2, torch 1.13.
Usage: /usr/bin/python3 tools/bench/make_torch_checkpoint.py OUT.bin
"""
import json
import sys
import time
from collections import OrderedDict

import torch


def state_dict(vocab=30522, hidden=384, layers=6, ffn=1536, positions=512):
    g = torch.Generator().manual_seed(0)
    rand = lambda *shape: torch.randn(*shape, generator=g) * 0.02
    sd = OrderedDict()
    sd['bert.embeddings.word_embeddings.weight'] = rand(vocab, hidden)
    sd['bert.embeddings.position_embeddings.weight'] = rand(positions, hidden)
    sd['bert.embeddings.token_type_embeddings.weight'] = rand(2, hidden)
    sd['bert.embeddings.LayerNorm.weight'] = torch.ones(hidden)
    sd['bert.embeddings.LayerNorm.bias'] = torch.zeros(hidden)
    for i in range(layers):
        p = f'bert.encoder.layer.{i}.'
        for name in ('attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense'):
            sd[p + name + '.weight'] = rand(hidden, hidden)
            sd[p + name + '.bias'] = rand(hidden)
        sd[p + 'attention.output.LayerNorm.weight'] = torch.ones(hidden)
        sd[p + 'attention.output.LayerNorm.bias'] = torch.zeros(hidden)
        sd[p + 'intermediate.dense.weight'] = rand(ffn, hidden)
        sd[p + 'intermediate.dense.bias'] = rand(ffn)
        sd[p + 'output.dense.weight'] = rand(hidden, ffn)
        sd[p + 'output.dense.bias'] = rand(hidden)
        sd[p + 'output.LayerNorm.weight'] = torch.ones(hidden)
        sd[p + 'output.LayerNorm.bias'] = torch.zeros(hidden)
    sd['bert.pooler.dense.weight'] = rand(hidden, hidden)
    sd['bert.pooler.dense.bias'] = rand(hidden)
    return sd


def main(out):
    sd = state_dict()
    torch.save(sd, out)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        torch.load(out, map_location='cpu')
        times.append(time.perf_counter() - start)
    params = sum(t.numel() for t in sd.values())
    print(json.dumps({'tensors': len(sd), 'params': params, 'torchLoadMs': round(min(times) * 1000, 1), 'torch': torch.__version__}))


if __name__ == '__main__':
    main(sys.argv[1])
