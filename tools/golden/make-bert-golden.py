#!/usr/bin/python3
"""Golden file for the forward-pass test of @koenbert/bert, and the Python-side check of folders it saves.

BERT's forward pass is written out here in plain torch (transformers is NOT installed on this machine, so this
is an independent reimplementation of transformers' BertModel / BertForSequenceClassification /
BertForMaskedLM / BertForTokenClassification, following modeling_bert.py's math: post-LN layers, exact erf GELU,
absolute positions, token types, additive mask (1 - mask) * finfo(float32).min). It runs in float64 on the
float32 weights, so the reference carries no float32 rounding of its own.

Made with: Debian /usr/bin/python3 3.11.2, torch 1.13.0a0 (Debian python3-torch), numpy 1.24.2.

Rerun (from the repository root):
  /usr/bin/python3 tools/golden/make-bert-golden.py make
      reads ../shared/data/models/tiny-random-bert/pytorch_model.bin (a real BertForSequenceClassification
      checkpoint with random weights) and writes packages/bert/test/fixtures/tiny-random-bert-golden.json:
      inputs (3 rows of 9 tokens: padding, token types 0-3), every hidden state, the pooled output, the
      sequence-classification logits, q/k/v of layers 1 and 4, the last hidden state with hidden_act gelu_new and
      relu, seeded random weights + logits for a masked-lm head and a 3-label token-classification head, and the
      state-dict names of each transformers class for this config (the sequence-classification list is asserted
      equal to the checkpoint's own names), and for the sequence-classification loss (labels 0, 1, 1) the loss and
      each parameter's gradient (sum of squares and first 8 values), from torch autograd.
  /usr/bin/python3 tools/golden/make-bert-golden.py verify DIR TASK
      loads a folder written by BertModel.savePretrained (config.json + model.safetensors, parsed here with
      struct/json/numpy: the `safetensors` package is not installed either), checks that its tensor names are
      exactly the state dict of the transformers class for TASK (minus the tied decoder, as transformers writes
      safetensors) and that the safetensors metadata says format=pt, then runs the forward pass above on the golden
      inputs and compares with the golden outputs. Used by tools/golden/check-bert-python-interop.mjs.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
MODEL_DIR = os.path.join(ROOT, '..', 'shared', 'data', 'models', 'tiny-random-bert')
GOLDEN = os.path.join(ROOT, 'packages', 'bert', 'test', 'fixtures', 'tiny-random-bert-golden.json')
MASKED = torch.finfo(torch.float32).min
QKV_LAYERS = [1, 4]
TOKEN_LABELS = 3
GRAD_LABELS = [0, 1, 1]
TASKS = ['base', 'masked-lm', 'sequence-classification', 'token-classification']


# ---------------------------------------------------------------- the model, in plain torch (float64)

def activation(x, act):
    if act == 'gelu':
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if act == 'gelu_new':
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if act == 'relu':
        return torch.clamp(x, min=0.0)
    raise ValueError(act)


def layer_norm(x, weight, bias, eps):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def dense(x, sd, name):
    return x @ sd[name + '.weight'].T + sd[name + '.bias']


def encoder_forward(sd, prefix, cfg, ids, mask, types):
    """BertModel: returns hidden states (embeddings first), pooled output (when the pooler is there), q/k/v."""
    h, heads = cfg['hidden_size'], cfg['num_attention_heads']
    eps, act = cfg['layer_norm_eps'], cfg['hidden_act']
    p = lambda name: sd[prefix + name]
    batch, seq = ids.shape
    x = p('embeddings.word_embeddings.weight')[ids] + p('embeddings.position_embeddings.weight')[:seq][None] \
        + p('embeddings.token_type_embeddings.weight')[types]
    x = layer_norm(x, p('embeddings.LayerNorm.weight'), p('embeddings.LayerNorm.bias'), eps)
    bias = (1.0 - mask[:, None, None, :].double()) * MASKED
    hidden_states, qkv = [x], {}
    for i in range(cfg['num_hidden_layers']):
        layer = prefix + 'encoder.layer.%d.' % i
        q = dense(x, sd, layer + 'attention.self.query')
        k = dense(x, sd, layer + 'attention.self.key')
        v = dense(x, sd, layer + 'attention.self.value')
        qkv[i] = (q, k, v)
        split = lambda t: t.view(batch, seq, heads, h // heads).permute(0, 2, 1, 3)
        scores = split(q) @ split(k).transpose(-1, -2) / math.sqrt(h // heads) + bias
        context = (torch.softmax(scores, dim=-1) @ split(v)).permute(0, 2, 1, 3).reshape(batch, seq, h)
        attn = layer_norm(dense(context, sd, layer + 'attention.output.dense') + x,
                          sd[layer + 'attention.output.LayerNorm.weight'], sd[layer + 'attention.output.LayerNorm.bias'], eps)
        ffn = dense(activation(dense(attn, sd, layer + 'intermediate.dense'), act), sd, layer + 'output.dense')
        x = layer_norm(ffn + attn, sd[layer + 'output.LayerNorm.weight'], sd[layer + 'output.LayerNorm.bias'], eps)
        hidden_states.append(x)
    pooled = torch.tanh(dense(x[:, 0], sd, prefix + 'pooler.dense')) if prefix + 'pooler.dense.weight' in sd else None
    return hidden_states, pooled, qkv


def mlm_logits(sd, prefix, cfg, hidden):
    t = activation(dense(hidden, sd, 'cls.predictions.transform.dense'), cfg['hidden_act'])
    t = layer_norm(t, sd['cls.predictions.transform.LayerNorm.weight'], sd['cls.predictions.transform.LayerNorm.bias'], cfg['layer_norm_eps'])
    return t @ sd[prefix + 'embeddings.word_embeddings.weight'].T + sd['cls.predictions.bias']


# ---------------------------------------------------------------- inputs and file helpers

def golden_inputs(vocab):
    g = torch.Generator().manual_seed(20241129)
    ids = torch.randint(5, vocab, (3, 9), generator=g)
    ids[:, 0] = 2  # [CLS]
    mask = torch.tensor([[1] * 9, [1] * 6 + [0] * 3, [1] * 4 + [0] * 5])
    types = torch.tensor([[0] * 5 + [1] * 4, [0, 0, 0, 1, 1, 1, 0, 0, 0], [2, 3, 2, 3, 0, 0, 0, 0, 0]])
    ids = ids * mask  # padding is [PAD] = 0
    return ids, mask, types


def packed(t):
    """A tensor as {shape, data}; float values rounded to 9 significant digits (float32 round-trips exactly)."""
    arr = t.detach().cpu().numpy()
    if arr.dtype.kind == 'f':
        data = [float('%.9g' % v) for v in arr.reshape(-1).astype(np.float64)]
    else:
        data = [int(v) for v in arr.reshape(-1)]
    return {'shape': list(arr.shape), 'data': data}


def unpacked(entry, dtype=torch.float64):
    return torch.tensor(entry['data'], dtype=dtype).reshape(entry['shape'])


def random_heads(cfg):
    """Seeded float32 weights for the masked-lm and token-classification heads (tiny-random-bert has neither)."""
    g = torch.Generator().manual_seed(7)
    h, v = cfg['hidden_size'], cfg['vocab_size']
    n = lambda *shape, std=0.2: (torch.randn(*shape, generator=g) * std).float()
    return {
        'cls.predictions.transform.dense.weight': n(h, h),
        'cls.predictions.transform.dense.bias': n(h, std=0.1),
        'cls.predictions.transform.LayerNorm.weight': 1 + n(h, std=0.1),
        'cls.predictions.transform.LayerNorm.bias': n(h, std=0.1),
        'cls.predictions.bias': n(v, std=0.1),
        'classifier.weight': n(TOKEN_LABELS, h),
        'classifier.bias': n(TOKEN_LABELS, std=0.1),
    }


def as_float64(sd):
    return {k: v.double() for k, v in sd.items() if v.is_floating_point()}


# ---------------------------------------------------------------- make

def make():
    cfg = json.load(open(os.path.join(MODEL_DIR, 'config.json')))
    raw = torch.load(os.path.join(MODEL_DIR, 'pytorch_model.bin'), map_location='cpu')
    sd = as_float64(raw)
    ids, mask, types = golden_inputs(cfg['vocab_size'])
    hidden, pooled, qkv = encoder_forward(sd, 'bert.', cfg, ids, mask, types)
    seq_logits = dense(pooled, sd, 'classifier')
    heads = random_heads(cfg)
    with_heads = {**sd, **as_float64(heads)}
    out = {
        'about': 'made by tools/golden/make-bert-golden.py make (torch %s, float64 reference); inputs of tiny-random-bert' % torch.__version__,
        'inputs': {'input_ids': packed(ids), 'attention_mask': packed(mask), 'token_type_ids': packed(types)},
        'hidden_states': [packed(x) for x in hidden],
        'pooled_output': packed(pooled),
        'sequence_classification_logits': packed(seq_logits),
        'qkv': [{'layer': i, 'query': packed(qkv[i][0]), 'key': packed(qkv[i][1]), 'value': packed(qkv[i][2])} for i in QKV_LAYERS],
        'activations': {},
        'heads': {name: packed(t) for name, t in heads.items()},
        'masked_lm_logits': packed(mlm_logits(with_heads, 'bert.', cfg, hidden[-1])),
        'token_classification_logits': packed(dense(hidden[-1], with_heads, 'classifier')),
    }
    # gradients of the sequence-classification cross-entropy (labels below, no dropout) for every parameter:
    # the sum of squares and the first 8 values of each (the whole set would not fit a small fixture)
    leaf = {k: v.clone().requires_grad_() for k, v in sd.items()}
    labels = torch.tensor(GRAD_LABELS)
    _, grad_pooled, _ = encoder_forward(leaf, 'bert.', cfg, ids, mask, types)
    grad_loss = torch.nn.functional.cross_entropy(dense(grad_pooled, leaf, 'classifier'), labels)
    grad_loss.backward()
    out['gradients'] = {'labels': GRAD_LABELS, 'loss': grad_loss.item(), 'params': {
        k: {'sum_squares': float((t.grad ** 2).sum()), 'first': [float('%.9g' % v) for v in t.grad.reshape(-1)[:8].tolist()]}
        for k, t in leaf.items()}}
    # the key lists below are checked against the real checkpoint's state dict (a BertForSequenceClassification)
    real = sorted(k for k in raw if not k.endswith('position_ids'))
    assert sorted(transformers_keys(cfg, 'sequence-classification', 2)) == real, 'key list disagrees with the checkpoint'
    out['transformers_keys'] = {task: transformers_keys(cfg, task, 2) for task in TASKS}
    for act in ['gelu_new', 'relu']:
        out['activations'][act] = packed(encoder_forward(sd, 'bert.', {**cfg, 'hidden_act': act}, ids, mask, types)[0][-1])
    os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
    with open(GOLDEN, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
        f.write('\n')
    print('wrote %s (%d bytes)' % (GOLDEN, os.path.getsize(GOLDEN)))


# ---------------------------------------------------------------- verify a folder saved by @koenbert/bert

SAFETENSORS_DTYPES = {'F32': '<f4', 'F16': '<f2', 'I64': '<i8'}


def read_safetensors(file):
    with open(file, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n))
        body = f.read()
    metadata = header.pop('__metadata__', {})
    tensors = {}
    for name, entry in header.items():
        start, end = entry['data_offsets']
        arr = np.frombuffer(body[start:end], dtype=SAFETENSORS_DTYPES[entry['dtype']]).reshape(entry['shape'])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, metadata


def transformers_keys(cfg, task, num_labels):
    """The state-dict names of transformers' class for the task, minus tied weights (not written to safetensors)."""
    prefix = '' if task == 'base' else 'bert.'
    keys = [prefix + k for k in ['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight',
                                 'embeddings.token_type_embeddings.weight', 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias']]
    for i in range(cfg['num_hidden_layers']):
        for part in ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense',
                     'attention.output.LayerNorm', 'intermediate.dense', 'output.dense', 'output.LayerNorm']:
            keys += ['%sencoder.layer.%d.%s.weight' % (prefix, i, part), '%sencoder.layer.%d.%s.bias' % (prefix, i, part)]
    if task in ('base', 'sequence-classification'):
        keys += [prefix + 'pooler.dense.weight', prefix + 'pooler.dense.bias']
    if task == 'masked-lm':
        keys += ['cls.predictions.bias'] + ['cls.predictions.transform.%s.%s' % (m, w) for m in ['dense', 'LayerNorm'] for w in ['weight', 'bias']]
    if task in ('sequence-classification', 'token-classification'):
        keys += ['classifier.weight', 'classifier.bias']
    return keys


def verify(folder, task):
    architecture = {'base': 'BertModel', 'masked-lm': 'BertForMaskedLM', 'sequence-classification': 'BertForSequenceClassification',
                    'token-classification': 'BertForTokenClassification'}[task]
    cfg = json.load(open(os.path.join(folder, 'config.json')))
    golden = json.load(open(GOLDEN))
    tensors, metadata = read_safetensors(os.path.join(folder, 'model.safetensors'))
    problems = []
    if cfg.get('architectures') != [architecture]:
        problems.append('architectures is %r, expected [%r]' % (cfg.get('architectures'), architecture))
    if cfg.get('model_type') != 'bert':
        problems.append('model_type is %r' % cfg.get('model_type'))
    if metadata.get('format') != 'pt':
        problems.append('safetensors metadata format is %r (transformers refuses anything but pt/tf/flax)' % metadata.get('format'))
    num_labels = len(cfg.get('id2label', {})) or 2
    expected = transformers_keys(cfg, task, num_labels)
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing:
        problems.append('missing keys (transformers would warn and re-initialise them): %s' % missing)
    if unexpected:
        problems.append('unexpected keys: %s' % unexpected)
    for name, t in tensors.items():
        if t.dtype != torch.float32:
            problems.append('%s is %s, expected float32' % (name, t.dtype))
    sd = as_float64(tensors)
    prefix = '' if task == 'base' else 'bert.'
    inputs = golden['inputs']
    ids, mask, types = (unpacked(inputs[k], torch.int64) for k in ['input_ids', 'attention_mask', 'token_type_ids'])
    hidden, pooled, _ = encoder_forward(sd, prefix, cfg, ids, mask, types)
    checks = [('last hidden state', hidden[-1], golden['hidden_states'][-1])]
    if task in ('base', 'sequence-classification'):
        checks.append(('pooled output', pooled, golden['pooled_output']))
    if task == 'sequence-classification':
        checks.append(('sequence-classification logits', dense(pooled, sd, 'classifier'), golden['sequence_classification_logits']))
    if task == 'masked-lm':
        checks.append(('masked-lm logits (decoder tied to the word embeddings)', mlm_logits(sd, prefix, cfg, hidden[-1]), golden['masked_lm_logits']))
    if task == 'token-classification':
        checks.append(('token-classification logits', dense(hidden[-1], sd, 'classifier'), golden['token_classification_logits']))
    for what, actual, entry in checks:
        diff = (actual - unpacked(entry)).abs().max().item()
        print('%s: max |diff| vs golden = %.3g' % (what, diff))
        if not diff <= 1e-6:
            problems.append('%s differs from the golden file by %.3g' % (what, diff))
    print('%d tensors, names = transformers %s state dict%s' % (len(tensors), architecture, ' minus tied decoder' if task == 'masked-lm' else ''))
    if problems:
        for p in problems:
            print('PROBLEM: ' + p)
        sys.exit(1)
    print('OK: %s loads as %s with the golden outputs' % (folder, architecture))


if __name__ == '__main__':
    torch.set_num_threads(1)
    if len(sys.argv) >= 2 and sys.argv[1] == 'make':
        make()
    elif len(sys.argv) == 4 and sys.argv[1] == 'verify':
        verify(sys.argv[2], sys.argv[3])
    else:
        print(__doc__)
        sys.exit(2)
