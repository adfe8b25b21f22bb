#!/usr/bin/python3
"""Golden files for readTorchStateDict (@koenbert/tensor-utils): what torch itself loads.

Made with: Debian /usr/bin/python3 3.11.2, python3-torch 1.13 (torch.__version__ '1.13.0a0'), numpy 1.24.2.

Rerun (from the repository root):
  /usr/bin/python3 tools/golden/torch_state_dict_golden.py
writes into packages/tensor-utils/test/fixtures/:
  tiny-random-bert-golden.json  name → dtype, shape, sha256 of the contiguous little-endian bytes,
                                float64 sum and first values, as torch.load reads
                                ../shared/data/models/tiny-random-bert/pytorch_model.bin
  torch-views.pt (+ .json)      a small state dict saved by torch.save: transposed, sliced, stepped and
                                permuted views (non-contiguous, storage offsets), shared and tied storages,
                                every dtype, an nn.Parameter, a scalar, an empty tensor, OrderedDict _metadata
  torch-views-deflate.pt        the same archive re-zipped with deflate (torch writes stored entries)
  torch-legacy.pt               the same dict in the legacy (pre-1.6, non-zip) format
  forbidden-os-system.pt        a torch-style zip whose data.pkl calls os.system (protocol 2, GLOBAL)
  forbidden-builtins-eval.pt    the same with builtins.eval (protocol 4, STACK_GLOBAL)
Nothing here executes the malicious pickles: they are written as bytes, never loaded.
"""
import hashlib
import json
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
FIXTURES = os.path.join(ROOT, 'packages', 'tensor-utils', 'test', 'fixtures')
TINY_BERT = os.path.join(ROOT, '..', 'shared', 'data', 'models', 'tiny-random-bert', 'pytorch_model.bin')

DTYPE_NAMES = {
    torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.int64: 'I64',
    torch.int32: 'I32', torch.uint8: 'U8', torch.bool: 'BOOL',
}
RAW_VIEW = {torch.float16: torch.int16, torch.bfloat16: torch.int16}


def raw_bytes(tensor):
    t = tensor.detach().contiguous()
    if t.dtype in RAW_VIEW:
        t = t.view(RAW_VIEW[t.dtype])
    return t.numpy().tobytes()


def number(value):
    """JSON has no Infinity/NaN: those become the strings 'inf', '-inf', 'nan'."""
    value = float(value)
    return value if np.isfinite(value) else str(value)


def describe(tensor, all_values=False):
    t = tensor.detach()
    flat = t.reshape(-1).to(torch.float64)
    entry = OrderedDict()
    entry['dtype'] = DTYPE_NAMES[t.dtype]
    entry['shape'] = list(t.shape)
    entry['sha256'] = hashlib.sha256(raw_bytes(t)).hexdigest()
    entry['sum'] = number(flat.sum()) if flat.numel() else 0.0
    entry['first'] = [number(v) for v in flat[: (flat.numel() if all_values else 4)]]
    entry['contiguous'] = t.is_contiguous()
    return entry


def dump(path, state_dict, all_values=False):
    golden = OrderedDict((name, describe(t, all_values)) for name, t in state_dict.items())
    with open(path, 'w') as out:
        json.dump(golden, out, indent=1)
        out.write('\n')


def views_state_dict():
    torch.manual_seed(0)
    module = torch.nn.Linear(3, 2)  # state_dict() is an OrderedDict with a _metadata attribute
    sd = module.state_dict()
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8 - 1
    sd['view.transposed'] = base.t()                         # stride (1, 6)
    sd['view.rows_1_3'] = base[1:3]                          # storage offset 6, shares base's storage
    sd['view.every_other_column'] = base[:, ::2]             # stride (6, 2)
    sd['view.permuted'] = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4).permute(2, 0, 1)
    sd['view.expanded_row'] = torch.tensor([1.5, -2.0, 3.25]).expand(2, 3)  # stride (0, 1)
    sd['tied.a'] = sd['weight']                              # same tensor twice (tied weights)
    sd['dtype.f16'] = torch.tensor([0.1, -65504.0, 6e-8, float('inf')], dtype=torch.float16)
    sd['dtype.bf16'] = torch.tensor([[0.1, -3e38], [1e-39, float('-inf')]], dtype=torch.bfloat16).t()
    sd['dtype.i64'] = torch.tensor([0, 1, -(2 ** 40), 512], dtype=torch.int64)
    sd['dtype.i32'] = torch.tensor([-(2 ** 31), 7], dtype=torch.int32)
    sd['dtype.u8'] = torch.tensor([[0, 255], [17, 3]], dtype=torch.uint8)
    sd['dtype.bool'] = torch.tensor([True, False, True])
    sd['scalar'] = torch.tensor(2.5)
    sd['empty'] = torch.zeros(0, 3)
    sd['parameter'] = torch.nn.Parameter(torch.tensor([[1.0, 2.0]]))  # pickled via _rebuild_parameter
    return sd


def torch_style_zip(path, pickle_bytes):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', pickle_bytes)
        z.writestr('archive/version', '3\n')


class EvalOnLoad:
    """Its pickle calls builtins.eval when loaded by pickle.load (never done here)."""

    def __reduce__(self):
        return (eval, ("print('pwned')",))


def main():
    state = torch.load(TINY_BERT, map_location='cpu')
    dump(os.path.join(FIXTURES, 'tiny-random-bert-golden.json'), state)
    print(f'tiny-random-bert: {len(state)} tensors')

    sd = views_state_dict()
    views = os.path.join(FIXTURES, 'torch-views.pt')
    torch.save(sd, views)
    loaded = torch.load(views)  # the golden is what torch reads back
    assert list(loaded.keys()) == list(sd.keys())
    dump(os.path.join(FIXTURES, 'torch-views.json'), loaded, all_values=True)

    with zipfile.ZipFile(views) as source, zipfile.ZipFile(os.path.join(FIXTURES, 'torch-views-deflate.pt'), 'w', zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))

    torch.save(sd, os.path.join(FIXTURES, 'torch-legacy.pt'), _use_new_zipfile_serialization=False)

    # GLOBAL 'os system', the argument tuple, REDUCE: what an attacker writes by hand
    os_system = b'\x80\x02cos\nsystem\nq\x00X\x0a\x00\x00\x00echo pwnedq\x01\x85q\x02Rq\x03.'
    torch_style_zip(os.path.join(FIXTURES, 'forbidden-os-system.pt'), os_system)
    torch_style_zip(os.path.join(FIXTURES, 'forbidden-builtins-eval.pt'), pickle.dumps({'weight': EvalOnLoad()}, protocol=4))
    for name in sorted(os.listdir(FIXTURES)):
        print(f'{name}: {os.path.getsize(os.path.join(FIXTURES, name))} bytes')


if __name__ == '__main__':
    main()
