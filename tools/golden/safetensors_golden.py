#!/usr/bin/python3
"""Golden files for the safetensors tests of @koenbert/tensor-utils, written WITHOUT the
`safetensors` package: the format is written and parsed here with struct + json + numpy, so the
TypeScript reader/writer is checked against an independent implementation.

Made with: Debian /usr/bin/python3 3.11.2, numpy 1.24.2, torch 1.13 (torch only to round float32 to
bfloat16, which numpy cannot do).

Rerun (from the repository root):
  /usr/bin/python3 tools/golden/safetensors_golden.py make
      writes packages/tensor-utils/test/fixtures/python-written.safetensors and python-written.json
  cd packages/tensor-utils && UPDATE_GOLDEN=1 npx jest safetensors-interop
      re-writes test/fixtures/ts-written.safetensors with the TypeScript writer
  /usr/bin/python3 tools/golden/safetensors_golden.py verify packages/tensor-utils/test/fixtures/ts-written.safetensors
      parses the TypeScript-written file here and checks it bit for bit against make_tensors()
"""
import json
import math
import os
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'tensor-utils', 'test', 'fixtures')

# float32 inputs that exercise the narrowing and widening rules of F16 and BF16
SOURCE = [
    0.0, -0.0, 1.0, -2.5, 0.1, 1 / 3,
    65504.0,                # largest F16
    65520.0,                # first value that rounds to +Inf in F16
    6.103515625e-05,        # smallest normal F16 (2^-14)
    5.960464477539063e-08,  # smallest subnormal F16 (2^-24)
    2.9802322387695312e-08, # 2^-25: a tie between 0 and 2^-24, goes to even (0)
    3.0e-08,                # just above the tie: rounds to 2^-24
    1.0e-05,                # an F16 subnormal
    -4.5e-06,               # a negative F16 subnormal
    3.0e38,                 # overflows F16, fine in BF16
    1.0e-39,                # a float32 (and BF16) subnormal
    1.00048828125,          # 1 + 2^-11: F16 tie, goes to even (1.0)
    1.00146484375,          # 1 + 3 * 2^-11: F16 tie, goes to even (1 + 2^-9)
    1.00390625,             # 1 + 2^-8: BF16 tie, goes to even (1.0)
    1.01171875,             # 1 + 3 * 2^-8: BF16 tie, goes to even (1 + 2^-6)
    math.inf, -math.inf, math.nan,
]

DTYPE_NUMPY = {'F32': '<f4', 'F16': '<u2', 'BF16': '<u2', 'I64': '<i8', 'I32': '<i4', 'U8': 'u1', 'BOOL': 'u1'}
DTYPE_SIZE = {'F32': 4, 'F16': 2, 'BF16': 2, 'I64': 8, 'I32': 4, 'U8': 1, 'BOOL': 1}

METADATA = OrderedDict([('format', 'pt'), ('producer', 'tools/golden/safetensors_golden.py'), ('note', '한국어 and English ✓')])


def f16_bits(values):
    with np.errstate(over='ignore'):
        return np.asarray(values, dtype=np.float32).astype(np.float16).view(np.uint16)


def bf16_bits(values):
    return torch.tensor(np.asarray(values, dtype=np.float32)).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)


def make_tensors():
    """name -> (dtype, shape, little-endian bytes); header order differs from data order on purpose."""
    source = np.asarray(SOURCE, dtype=np.float32)
    tensors = OrderedDict()
    tensors['weights.f32'] = ('F32', [2, 3], (np.arange(6, dtype=np.float32) * np.float32(-0.75) + np.float32(0.5)).tobytes())
    tensors['source.f32'] = ('F32', [len(SOURCE)], source.tobytes())
    tensors['source.f16'] = ('F16', [len(SOURCE)], f16_bits(source).tobytes())
    tensors['source.bf16'] = ('BF16', [len(SOURCE)], bf16_bits(source).tobytes())
    tensors['ids.i64'] = ('I64', [2, 3], np.array([-(2 ** 40), -1, 0, 1, 2 ** 53 + 1, 2 ** 62], dtype='<i8').tobytes())
    tensors['ids.i32'] = ('I32', [5], np.array([-(2 ** 31), -1, 0, 7, 2 ** 31 - 1], dtype='<i4').tobytes())
    tensors['bytes.u8'] = ('U8', [2, 2], np.array([0, 1, 127, 255], dtype=np.uint8).tobytes())
    tensors['mask.bool'] = ('BOOL', [3], np.array([True, False, True], dtype=np.bool_).tobytes())
    tensors['empty.f32'] = ('F32', [0, 4], b'')
    tensors['scalar.f32'] = ('F32', [], np.array(42.5, dtype=np.float32).tobytes())
    return tensors


def write_safetensors(path, tensors, metadata, data_order):
    header = OrderedDict()
    header['__metadata__'] = metadata
    offsets, position = {}, 0
    for name in data_order:
        size = len(tensors[name][2])
        offsets[name] = [position, position + size]
        position += size
    for name, (dtype, shape, _) in tensors.items():
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': offsets[name]}
    body = json.dumps(header, ensure_ascii=False, separators=(',', ':')).encode('utf-8')
    body += b' ' * ((8 - (8 + len(body)) % 8) % 8)
    with open(path, 'wb') as out:
        out.write(struct.pack('<Q', len(body)))
        out.write(body)
        for name in data_order:
            out.write(tensors[name][2])


def parse_safetensors(path):
    with open(path, 'rb') as f:
        blob = f.read()
    (n,) = struct.unpack('<Q', blob[:8])
    assert (8 + n) % 8 == 0, f'header not padded to 8 bytes: 8 + {n}'
    header = json.loads(blob[8:8 + n].decode('utf-8'), object_pairs_hook=OrderedDict)
    data = blob[8 + n:]
    metadata = header.pop('__metadata__', {})
    spans = sorted((entry['data_offsets'][0], entry['data_offsets'][1], name) for name, entry in header.items())
    position = 0
    for begin, end, name in spans:
        assert begin == position, f'{name}: gap or overlap at {begin} (expected {position})'
        position = end
    assert position == len(data), f'{len(data) - position} trailing bytes'
    tensors = OrderedDict()
    for name, entry in header.items():
        begin, end = entry['data_offsets']
        expected = DTYPE_SIZE[entry['dtype']] * int(np.prod(entry['shape'], dtype=np.int64))
        assert end - begin == expected, f'{name}: {end - begin} bytes, expected {expected}'
        tensors[name] = (entry['dtype'], entry['shape'], data[begin:end])
    return tensors, metadata


def as_json_numbers(dtype, raw):
    array = np.frombuffer(raw, dtype=DTYPE_NUMPY[dtype])
    if dtype == 'F32':
        return [int(v) for v in array.view(np.uint32)]  # exact bit patterns
    if dtype == 'I64':
        return [str(int(v)) for v in array]  # beyond 2^53: strings
    return [int(v) for v in array]


def decoded_f32_bits(dtype, raw):
    """Independent decoding of F16/BF16 to float32, as bit patterns (NaN included)."""
    bits = np.frombuffer(raw, dtype='<u2')
    if dtype == 'F16':
        return [int(v) for v in bits.view(np.float16).astype(np.float32).view(np.uint32)]
    return [int(v) for v in (bits.astype(np.uint32) << 16)]


def make():
    tensors = make_tensors()
    path = os.path.join(FIXTURES, 'python-written.safetensors')
    write_safetensors(path, tensors, METADATA, data_order=list(reversed(tensors.keys())))
    expected = OrderedDict()
    expected['metadata'] = METADATA
    expected['sourceF32Bits'] = as_json_numbers('F32', tensors['source.f32'][2])
    expected['tensors'] = OrderedDict(
        (name, OrderedDict([('dtype', dtype), ('shape', shape), ('values', as_json_numbers(dtype, raw))]))
        for name, (dtype, shape, raw) in tensors.items()
    )
    expected['decodedF32Bits'] = {name: decoded_f32_bits(tensors[name][0], tensors[name][2]) for name in ('source.f16', 'source.bf16')}
    with open(os.path.join(FIXTURES, 'python-written.json'), 'w', encoding='utf-8') as out:
        json.dump(expected, out, ensure_ascii=False, indent=1)
        out.write('\n')
    print(f'wrote {path} ({os.path.getsize(path)} bytes, {len(tensors)} tensors)')


def verify(path):
    tensors, metadata = parse_safetensors(path)
    reference = make_tensors()
    assert metadata == METADATA, f'metadata differs: {metadata}'
    assert list(tensors.keys()) == list(reference.keys()), f'names differ: {list(tensors.keys())}'
    for name, (dtype, shape, raw) in reference.items():
        assert tensors[name] == (dtype, shape, raw), f'{name} differs'
    print(f'OK {path}: {len(tensors)} tensors and metadata bit-exact against make_tensors()')


if __name__ == '__main__':
    if len(sys.argv) >= 2 and sys.argv[1] == 'make':
        make()
    elif len(sys.argv) == 3 and sys.argv[1] == 'verify':
        verify(sys.argv[2])
    else:
        sys.exit(__doc__)
