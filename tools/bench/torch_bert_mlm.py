"""The PyTorch side of koenbert's MLM benchmarks: transformers' BertForMaskedLM written in plain torch (post-LN
encoder, exact GELU, tied decoder on every position), so the benchmarks need no transformers install."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

DROPOUT, MAX_POS = 0.1, 512


class Layer(nn.Module):
    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.attn_out, self.attn_norm = nn.Linear(hidden, hidden), nn.LayerNorm(hidden, eps=1e-12)
        self.inter, self.out, self.out_norm = nn.Linear(hidden, ffn), nn.Linear(ffn, hidden), nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x, bias):
        b, s, h = x.shape
        d = h // self.heads
        split = lambda t: t.view(b, s, self.heads, d).transpose(1, 2)
        scores = split(self.query(x)) @ split(self.key(x)).transpose(-1, -2) / math.sqrt(d) + bias
        probs = F.dropout(torch.softmax(scores, dim=-1), DROPOUT, self.training)
        context = (probs @ split(self.value(x))).transpose(1, 2).reshape(b, s, h)
        x = self.attn_norm(F.dropout(self.attn_out(context), DROPOUT, self.training) + x)
        return self.out_norm(F.dropout(self.out(F.gelu(self.inter(x))), DROPOUT, self.training) + x)


class BertForMaskedLM(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, ffn):
        super().__init__()
        self.words, self.positions, self.types = nn.Embedding(vocab, hidden), nn.Embedding(MAX_POS, hidden), nn.Embedding(2, hidden)
        self.emb_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList([Layer(hidden, heads, ffn) for _ in range(layers)])
        self.transform, self.transform_norm = nn.Linear(hidden, hidden), nn.LayerNorm(hidden, eps=1e-12)
        self.decoder_bias = nn.Parameter(torch.zeros(vocab))
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)

    def forward(self, ids, mask):
        s = ids.shape[1]
        x = self.words(ids) + self.positions.weight[:s] + self.types.weight[0]
        x = F.dropout(self.emb_norm(x), DROPOUT, self.training)
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, bias)
        # BertOnlyMLMHead on every position, as transformers' BertForMaskedLM
        h = self.transform_norm(F.gelu(self.transform(x)))
        return h @ self.words.weight.T + self.decoder_bias
