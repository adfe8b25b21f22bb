import { KoenbertError } from './errors';

/**
 * Reproducible randomness for initialisation, shuffling and masking.
 *
 * Generator: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c), 128 bits of state,
 * period 2^128 − 1. Its four state words are filled from the seed by splitmix32 (the 32-bit SplitMix step with
 * Chris Wellons' "lowbias32"-style finaliser: z += 0x9e3779b9; z ^= z>>>16; z *= 0x21f0aaad; z ^= z>>>15;
 * z *= 0x735a2d97; z ^= z>>>15), so nearby seeds give unrelated streams.
 *
 * `normal()` uses Box–Muller and caches the second value; that cache is part of the state, so
 * `SeededRng.fromState(rng.getState())` continues bit-exact even between the two values of a pair.
 */
export class SeededRng {
  private readonly s = new Uint32Array(4);
  private spare: number | undefined;

  /** `seed`: any safe integer (negative ones and ones above 2^32 are allowed; all 53 bits are used). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `seed must be a safe integer, got ${seed}` });
    }
    const low = seed >>> 0;
    const high = Math.floor(seed / 2 ** 32) >>> 0;
    const next = splitmix32(low);
    for (let i = 0; i < 4; i++) this.s[i] = next();
    if (high !== 0) {
      // Only seeds outside [0, 2^32) take this path, so 32-bit seeds keep the plain splitmix32 fill.
      const extra = splitmix32(high ^ 0x6a09e667);
      for (let i = 0; i < 4; i++) this.s[i] ^= extra();
    }
    if (isAllZero(this.s)) this.s[0] = 0x9e3779b9;
  }

  /** Next raw 32-bit output of xoshiro128**, in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits (two draws). */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Standard normal N(0, 1) by Box–Muller; every second call returns the cached partner value. */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u1 = 1 - this.nextFloat(); // (0, 1]: log never sees 0
    const u2 = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Uniform integer in [0, maxExclusive), unbiased (rejection sampling); maxExclusive in [1, 2^32]. */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 2 ** 32) {
      throw new KoenbertError({
        code: 'INVALID_ARGUMENT',
        message: `int(maxExclusive): maxExclusive must be an integer in [1, 2^32], got ${maxExclusive}`,
      });
    }
    const limit = 2 ** 32 - (2 ** 32 % maxExclusive); // largest multiple of maxExclusive ≤ 2^32
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return draw % maxExclusive;
  }

  /** Fisher–Yates shuffle of `items` in place (each permutation equally likely); returns `items`. */
  shuffleInPlace<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /**
   * An independent stream named `label`, derived from this generator's current state (which is not advanced).
   * The same state and label always give the same stream; different labels give unrelated ones. Each of the four
   * new state words is a separate murmur3-style hash of (state, label), so the child keeps 128 bits of state.
   */
  fork(label: string): SeededRng {
    const words = [...this.s, ...utf8Words(label)];
    const state = [0, 1, 2, 3].map((lane) => hashWords(words, 0x243f6a88 + lane * 0x9e3779b9));
    if (!state.some((word) => word !== 0)) state[0] = 0x9e3779b9;
    return SeededRng.fromState([...state, 0, 0]);
  }

  /**
   * The full state as six JSON-safe numbers: the four xoshiro words, 1/0 for "a cached normal is waiting",
   * and that cached value (0 when none). Store it in a checkpoint; `fromState` resumes bit-exact.
   */
  getState(): number[] {
    return [...this.s, this.spare === undefined ? 0 : 1, this.spare ?? 0];
  }

  static fromState(state: number[]): SeededRng {
    const valid =
      Array.isArray(state) &&
      state.length === 6 &&
      state.slice(0, 4).every((word) => Number.isInteger(word) && word >= 0 && word < 2 ** 32) &&
      (state[4] === 0 || state[4] === 1) &&
      Number.isFinite(state[5]) &&
      !state.slice(0, 4).every((word) => word === 0);
    if (!valid) {
      throw new KoenbertError({
        code: 'INVALID_ARGUMENT',
        message: `SeededRng state must be 4 uint32 words (not all 0), a 0/1 flag and a finite number; got ${JSON.stringify(state)}`,
      });
    }
    const rng = new SeededRng(1);
    rng.s.set(state.slice(0, 4));
    rng.spare = state[4] === 1 ? state[5] : undefined;
    return rng;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function isAllZero(words: Uint32Array): boolean {
  return words.every((word) => word === 0);
}

/** splitmix32: returns a function giving successive 32-bit outputs for the given 32-bit start value. */
export function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/** murmur3_x86_32 over 32-bit words (body and finaliser as in MurmurHash3; the length is mixed in at the end). */
function hashWords(words: number[], seed: number): number {
  let h = seed >>> 0;
  for (const word of words) {
    let k = Math.imul(word >>> 0, 0xcc9e2d51);
    k = Math.imul(rotl(k, 15), 0x1b873593);
    h ^= k;
    h = (Math.imul(rotl(h, 13), 5) + 0xe6546b64) >>> 0;
  }
  h ^= words.length * 4;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The label's UTF-8 bytes packed little-endian into words, preceded by the byte length (so "a" ≠ "a\0"). */
function utf8Words(label: string): number[] {
  const bytes = new TextEncoder().encode(label);
  const words = [bytes.length];
  for (let i = 0; i < bytes.length; i += 4) {
    words.push((bytes[i] | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0);
  }
  return words;
}
