#!/usr/bin/env python3
"""Golden values for the wasm Erf kernel and the GELU op of @koenbert/tensor-utils (csrc/koenbert_math.h,
csrc/erf_gelu.c, src/lib/gelu.ts): erf(x), the exact GELU x * Phi(x) and its derivative Phi(x) + x * phi(x), in
float64 from the C library's erf and exp, at float32 inputs.

Made with: Python 3.11 (Debian /usr/bin/python3), standard library only.
Rerun:     /usr/bin/python3 tools/golden/make-erf-gelu-golden.py
Writes:    packages/tensor-utils/test/fixtures/erf-gelu-golden.json
"""
import json
import math
import os
import struct


def f32(x):
    return struct.unpack('f', struct.pack('f', x))[0]


def inputs():
    xs = [f32(-6 + 12 * i / 2400) for i in range(2401)]
    # around the switch between the two erf forms, where erf rounds to 1, and tiny values
    xs += [f32(v) for v in (0.9999999, 1.0, 1.0000001, 3.9199998, 3.92, 3.9200001, 4.5, 10.0, 1e-3, 1e-8, 1e-30, 1e-40)]
    xs += [-v for v in xs[2401:]]
    return xs


def main():
    xs = inputs()
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))
    golden = {
        'python': 'math.erf / math.exp (float64)',
        'x': xs,
        'erf': [math.erf(x) for x in xs],
        'gelu': [x * cdf(x) for x in xs],
        'geluGrad': [cdf(x) + x * phi(x) for x in xs],
    }
    out = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'tensor-utils', 'test', 'fixtures', 'erf-gelu-golden.json')
    with open(out, 'w') as f:
        json.dump(golden, f)
    print(f'wrote {os.path.normpath(out)} ({len(xs)} points)')


if __name__ == '__main__':
    main()
