import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { defaultWasmThreads, resolveWasmThreads } from '../src/lib/backend/wasm-threads';
import { KoenbertError } from '../src/lib/errors';
import { gelu } from '../src/lib/gelu';
import { kernelThreads, koenbertWasm } from '../src/lib/wasm-kernels/koenbert-wasm/koenbert-wasm-runtime';
import { asWasmBackend } from '../src/lib/wasm-kernels/wasm-internals';
import { SeededRng } from '../src/lib/seeded-rng';
import { EPS32, randomNormal, referenceMatMul, worstRatio } from './kernel-test-utils';

// The only test file that starts the threaded wasm binary (jest.preset sets KOENBERT_WASM_THREADS=1 for the others:
// Emscripten's pthread workers live until the process exits, and jest runs many files per process).

describe('resolveWasmThreads', () => {
  it('takes the option, else KOENBERT_WASM_THREADS, else all cores (at most 8)', () => {
    expect(resolveWasmThreads(3, '2')).toBe(3);
    expect(resolveWasmThreads(undefined, ' 2 ')).toBe(2);
    expect(resolveWasmThreads(undefined, '')).toBe(defaultWasmThreads());
    expect(resolveWasmThreads(undefined, undefined)).toBe(defaultWasmThreads());
    expect(defaultWasmThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultWasmThreads()).toBeLessThanOrEqual(8);
  });

  it('rejects a count that is not an integer from 1 to 8 (the workers tfjs preloads), in one line naming where it came from', () => {
    expect(() => resolveWasmThreads(undefined, 'two')).toThrow('KOENBERT_WASM_THREADS: expected an integer from 1 to 8, got "two"');
    expect(() => resolveWasmThreads(undefined, '9')).toThrow('KOENBERT_WASM_THREADS: expected an integer from 1 to 8, got "9"');
    expect(() => resolveWasmThreads(0, undefined)).toThrow('wasmThreads option: expected an integer from 1 to 8, got "0"');
    expect(() => resolveWasmThreads(1.5, undefined)).toThrow(KoenbertError);
  });
});

describe('the wasm backend with 2 XNNPACK threads', () => {
  let reason = '';
  const messagePorts = () => process.getActiveResourcesInfo().filter((name) => name === 'MessagePort').length;
  let portsBefore = 0;

  beforeAll(async () => {
    portsBefore = messagePorts();
    reason = (await initBackend({ backend: 'wasm', wasmThreads: 2, env: {} })).reason;
  });

  it('runs the threaded binary with a 2-thread pool and says so', () => {
    expect(reason).toBe("backend option 'wasm'; 2 threads");
    const module = (tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number }; PThread?: unknown } }).wasm;
    expect(module.PThread).toBeDefined();
    expect(module.tfjs.getThreadsCount()).toBe(2);
  });

  it('does not keep a finished program alive (the pool threads are unreferenced)', () => {
    expect(messagePorts()).toBe(portsBefore);
  });

  it("gives koenbert's GEMM the same 2 threads, on the shared-memory build of its kernels", () => {
    const backend = asWasmBackend(tf.backend());
    expect(kernelThreads(backend)).toBe(2);
    expect(koenbertWasm(backend).simd).toBe('relaxed');
  });

  it('gives bit-for-bit the same product on 2 threads as on 1 (each element is summed by one thread, in one order)', () => {
    const rng = new SeededRng(11);
    const a = randomNormal(rng, [1000, 300]);
    const b = randomNormal(rng, [700, 300]);
    const product = () => tf.tidy(() => tf.matMul(tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape), false, true).dataSync());
    const runtime = koenbertWasm(asWasmBackend(tf.backend()));
    const threaded = product();
    const pool = runtime.pool;
    runtime.pool = undefined;
    try {
      expect(kernelThreads(asWasmBackend(tf.backend()))).toBe(1);
      const single = product();
      expect(Buffer.compare(Buffer.from(threaded.buffer), Buffer.from(single.buffer))).toBe(0);
    } finally {
      runtime.pool = pool;
    }
  });

  it('runs Exp and Sum on the shared memory too', () => {
    const [expValues, sums] = tf.tidy(() => {
      const x = tf.tensor2d([[0, 1, -2], [3, -4, 5]]);
      return [tf.exp(x).dataSync(), tf.sum(x, 0).dataSync()];
    });
    [0, 1, -2, 3, -4, 5].forEach((value, i) => expect(Math.abs(expValues[i] / Math.exp(value) - 1)).toBeLessThan(1e-6));
    expect(Array.from(sums)).toEqual([3, -3, 3]);
  });

  it('splits big element-wise kernels (exp, erf, GELU and its gradient) over the threads, with the same bits as one thread', () => {
    // 300 001 elements: several chunks of 16-element-aligned size plus a ragged last one.
    const rng = new SeededRng(5);
    const values = randomNormal(rng, [300_001]).values.map((v) => 3 * v);
    const dy = randomNormal(rng, [300_001]).values;
    const compute = () =>
      tf.tidy(() => {
        const x = tf.tensor1d(values);
        const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(gelu(input), tf.tensor1d(dy))))(x);
        return [tf.exp(x), tf.erf(x), gelu(x), grad].map((t) => Buffer.from(t.dataSync().buffer));
      });
    const runtime = koenbertWasm(asWasmBackend(tf.backend()));
    const pool = runtime.pool!;
    const dispatch = jest.spyOn(pool, 'dispatch');
    const threaded = compute();
    // exp, erf, GELU forward (twice: once under the tape) and its gradient each went to the pool, in 4 chunks
    expect(dispatch.mock.calls.filter(([count]) => count === 4).length).toBeGreaterThanOrEqual(4);
    dispatch.mockRestore();
    runtime.pool = undefined;
    try {
      const single = compute();
      threaded.forEach((bytes, i) => expect([i, Buffer.compare(bytes, single[i])]).toEqual([i, 0]));
    } finally {
      runtime.pool = pool;
    }
    // and the values are right: e^x against Math.exp
    const exp = new Float32Array(threaded[0].buffer, threaded[0].byteOffset, values.length);
    expect(worstRatio({ actual: exp, expected: Array.from(values, Math.exp), bound: Array.from(values, (v) => 4 * EPS32 * Math.exp(v)) })).toBeLessThanOrEqual(1);
  });

  // Big enough that XNNPACK splits the rows over both threads (it tiles rows by a few at a time); checked like wasm-kernels-mat-mul.test.ts.
  it.each([
    ['linear layer x·Wᵀ', [256, 128], [192, 128], false, true],
    ['weight gradient xᵀ·dy', [256, 128], [256, 96], true, false],
    ['attention scores q·kᵀ', [2, 2, 128, 64], [2, 2, 128, 64], false, true],
  ] as Array<[string, number[], number[], boolean, boolean]>)('%s equals the float64 reference', (label, aShape, bShape, transposeA, transposeB) => {
    const rng = new SeededRng(label.length);
    const a = randomNormal(rng, aShape);
    const b = randomNormal(rng, bShape);
    const actual = tf.tidy(() => tf.matMul(tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape), transposeA, transposeB).dataSync());
    const reference = referenceMatMul({ a, b, transposeA, transposeB });
    const k = transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
    const bound = reference.scale.map((s) => k * EPS32 * s + 1e-30);
    expect(worstRatio({ actual, expected: reference.values, bound })).toBeLessThanOrEqual(1);
  });

  it('keeps the first start: a later start with another count in the same process says it cannot change', async () => {
    await initBackend({ backend: 'cpu', env: {} });
    const again = await initBackend({ backend: 'wasm', wasmThreads: 1, env: {} });
    expect(again.reason).toBe("backend option 'wasm'; 2 threads (of 1: the wasm backend already runs with 2 thread(s) in this process)");
    expect(tf.getBackend()).toBe('wasm');
  });
});
