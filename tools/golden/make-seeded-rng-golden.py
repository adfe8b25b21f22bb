#!/usr/bin/env python3
"""Golden values for SeededRng (packages/tensor-utils/src/lib/seeded-rng.ts), from an independent Python transcription
of xoshiro128** 1.1 (https://prng.di.unimi.it/xoshiro128starstar.c), splitmix32 seeding, Box-Muller, rejection-sampled
integers, Fisher-Yates and the murmur3-based fork.

Made with: Python 3.11 (Debian /usr/bin/python3), standard library only.
Rerun:     /usr/bin/python3 tools/golden/make-seeded-rng-golden.py
Writes:    packages/tensor-utils/test/fixtures/seeded-rng-golden.json
"""
import json
import math
import os

M32 = 0xFFFFFFFF


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def splitmix32(seed):
    state = seed & M32

    def nxt():
        nonlocal state
        state = (state + 0x9E3779B9) & M32
        z = state
        z = ((z ^ (z >> 16)) * 0x21F0AAAD) & M32
        z = ((z ^ (z >> 15)) * 0x735A2D97) & M32
        return z ^ (z >> 15)

    return nxt


class Rng:
    def __init__(self, seed=None, state=None):
        self.spare = None
        if state is not None:
            self.s = list(state)
            return
        low, high = seed & M32, (seed >> 32) & M32
        nxt = splitmix32(low)
        self.s = [nxt() for _ in range(4)]
        if high:
            extra = splitmix32(high ^ 0x6A09E667)
            self.s = [w ^ extra() for w in self.s]
        if not any(self.s):
            self.s[0] = 0x9E3779B9

    def u32(self):
        s = self.s
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def float(self):
        high = self.u32() >> 5
        low = self.u32() >> 6
        return (high * 67108864 + low) / 9007199254740992

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        u1 = 1 - self.float()
        u2 = self.float()
        r = math.sqrt(-2 * math.log(u1))
        a = 2 * math.pi * u2
        self.spare = r * math.sin(a)
        return r * math.cos(a)

    def int(self, n):
        limit = 2**32 - (2**32 % n)
        d = self.u32()
        while d >= limit:
            d = self.u32()
        return d % n

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.int(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    def fork(self, label):
        data = label.encode('utf-8')
        words = list(self.s) + [len(data)]
        for i in range(0, len(data), 4):
            chunk = data[i:i + 4] + b'\0' * (4 - len(data[i:i + 4]))
            words.append(int.from_bytes(chunk, 'little'))
        state = [murmur_words(words, (0x243F6A88 + lane * 0x9E3779B9) & M32) for lane in range(4)]
        return Rng(state=state)


def murmur_words(words, seed):
    h = seed
    for w in words:
        k = (w * 0xCC9E2D51) & M32
        k = (rotl(k, 15) * 0x1B873593) & M32
        h ^= k
        h = (rotl(h, 13) * 5 + 0xE6546B64) & M32
    h ^= (len(words) * 4) & M32
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & M32
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & M32
    return h ^ (h >> 16)


def take(rng, n):
    return [rng.u32() for _ in range(n)]


def main():
    known = Rng(state=[1, 2, 3, 4])
    golden = {
        'generator': 'xoshiro128** 1.1 seeded by splitmix32',
        'stateVector': {'state': [1, 2, 3, 4], 'uint32': [known.u32() for _ in range(10)]},
        'seeds': [],
    }
    for seed in [0, 1, 42, -1, 2**32 + 5, 2**53 - 1]:
        r = Rng(seed)
        golden['seeds'].append({'seed': seed, 'uint32': [r.u32() for _ in range(8)]})
    r = Rng(42)
    golden['float'] = {'seed': 42, 'values': [r.float() for _ in range(6)]}
    r = Rng(7)
    golden['normal'] = {'seed': 7, 'values': [r.normal() for _ in range(7)]}
    r = Rng(3)
    golden['int'] = {'seed': 3, 'maxExclusive': 10, 'values': [r.int(10) for _ in range(20)]}
    r = Rng(3)
    golden['intLarge'] = {'seed': 3, 'maxExclusive': 3000000000, 'values': [r.int(3000000000) for _ in range(10)]}
    r = Rng(5)
    golden['shuffle'] = {'seed': 5, 'values': r.shuffle(list(range(10)))}
    parent = Rng(42)
    parent.u32()
    golden['fork'] = {
        'seed': 42, 'drawsBefore': 1,
        'labels': {label: take(parent.fork(label), 4) for label in ['mask', 'shuffle', '한국어']},
    }
    out = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'tensor-utils', 'test', 'fixtures', 'seeded-rng-golden.json')
    with open(out, 'w') as f:
        json.dump(golden, f)
        f.write('\n')
    print('wrote', os.path.normpath(out))


if __name__ == '__main__':
    main()
