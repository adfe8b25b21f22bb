import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { SeededRng } from '../src/lib/seeded-rng';
import { WASM_GEMM_ENGINES } from '../src/lib/wasm-kernels/koenbert-wasm/wasm-gemm-engine';
import { registerWasmKernels, unregisterWasmKernels, wasmKernelsRegistered } from '../src/lib/wasm-kernels/register-wasm-kernels';
import { EPS32, liveCounts, randomNormal, referenceMatMul, runOn, worstRatio } from './kernel-test-utils';

// The project's BatchMatMul and _FusedMatMul on wasm against the cpu backend (plain JS loops) on random N(0, 1) inputs.
//
// Tolerance: a float32 sum of K products, in any order, is within K·ε·Σ|products| of the exact value (ε = 2^-24), so
// two implementations differ by at most 2·K·ε·(|A|·|B|) elementwise. That bound — computed on cpu from |A| and |B| —
// is what each element is checked against, with K the number of terms summed into it (for gradients:
// max(m, n, k) × batch, which also covers the sums over broadcast batches). A wrong index, batch or transpose gives
// errors of the size of the values themselves, thousands of times the bound.

beforeAll(async () => {
  await initBackend({ backend: 'cpu' }); // starts cpu without tfjs's "install the node backend" console banner
  await initBackend({ backend: 'wasm' });
});

afterAll(() => {
  registerWasmKernels();
});

type MatMulCase = [label: string, aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean];

const FORWARD_CASES: MatMulCase[] = [
  ['2-D', [37, 53], [53, 29], false, false],
  ['2-D, a transposed', [53, 37], [53, 29], true, false],
  ['2-D, b transposed (x·Wᵀ)', [37, 53], [29, 53], false, true],
  ['2-D, both transposed', [53, 37], [29, 53], true, true],
  ['batched', [3, 17, 23], [3, 23, 19], false, false],
  ['batched, a transposed', [3, 23, 17], [3, 23, 19], true, false],
  ['batched, b transposed', [3, 17, 23], [3, 19, 23], false, true],
  ['batched, both transposed', [3, 23, 17], [3, 19, 23], true, true],
  ['rank 4 a, shared 2-D b', [2, 3, 17, 23], [23, 19], false, false],
  ['rank 4 a transposed, shared b transposed', [2, 3, 23, 17], [19, 23], true, true],
  ['shared 2-D a, batched b transposed', [17, 23], [4, 19, 23], false, true],
  ['batch broadcast both ways', [2, 1, 5, 7], [1, 3, 7, 6], false, false],
  ['batch broadcast both ways, transposed', [2, 1, 7, 5], [1, 3, 6, 7], true, true],
  ['b batch of 1 against a batch of 4', [4, 6, 9], [1, 9, 5], false, false],
  ['m = 1', [1, 5], [5, 8], false, false],
  ['n = 1, b transposed', [6, 9], [1, 9], false, true],
  ['k = 1', [6, 1], [1, 7], false, false],
  ['m = 1 via transposed a, batched', [4, 8, 1], [4, 8, 3], true, false],
  ['all ones', [1, 1, 1], [1, 1, 1], true, true],
  ['attention scores q·kᵀ', [2, 4, 128, 64], [2, 4, 128, 64], false, true],
  ['attention context p·v', [2, 4, 128, 128], [2, 4, 128, 64], false, false],
  ['weight gradient xᵀ·dy', [256, 192], [256, 160], true, false],
  ['embedding-gradient-like dyᵀ·h', [192, 512], [192, 48], true, false],
  ['shared 2-D a and batched b, both transposed', [23, 17], [4, 19, 23], true, true],
  ['n = 1, both transposed', [7, 6], [1, 7], true, true],
];

// Several K slices (256 deep), row blocks (128) and column strips (512) of csrc/gemm.c, with partial edge tiles.
const GEMM_BLOCKING_CASES: MatMulCase[] = [
  ['several K slices, row blocks and column strips', [133, 300], [300, 515], false, false],
  ['the same, both transposed', [300, 133], [515, 300], true, true],
];

// Both GEMMs the kernels can run: koenbert's (csrc/gemm.c, the default) and XNNPACK (KOENBERT_WASM_GEMM=xnnpack).
describe.each(WASM_GEMM_ENGINES)('with the %s GEMM', (engine) => {
  const saved = process.env.KOENBERT_WASM_GEMM;
  beforeAll(() => {
    process.env.KOENBERT_WASM_GEMM = engine;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.KOENBERT_WASM_GEMM;
    else process.env.KOENBERT_WASM_GEMM = saved;
  });

  describe('BatchMatMul (project kernel on wasm) equals an independent float64 reference and the cpu backend', () => {
    it.each(engine === 'koenbert' ? [...FORWARD_CASES, ...GEMM_BLOCKING_CASES] : FORWARD_CASES)('%s: a %j · b %j (transposeA %p, transposeB %p)', async (label, aShape, bShape, transposeA, transposeB) => {
      const rng = new SeededRng(label.length * 7919 + aShape.length);
      const a = randomNormal(rng, aShape);
      const b = randomNormal(rng, bShape);
      const product = () => tf.matMul(tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape), transposeA, transposeB);
      await tf.setBackend('wasm');
      const before = liveCounts();
      const [actual] = await runOn('wasm', product);
      expect(liveCounts()).toEqual(before);
      const reference = referenceMatMul({ a, b, transposeA, transposeB });
      expect(actual.shape).toEqual(reference.shape);
      const k = transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
      // The float64 reference is exact to ~1e-16, so one float32 sum's bound k·ε·|A||B| applies.
      const bound = reference.scale.map((s) => k * EPS32 * s + 1e-30);
      expect(worstRatio({ actual: actual.values, expected: reference.values, bound })).toBeLessThanOrEqual(1);
      // The cpu kernel (and the stock wasm one) flatten batch dimensions, so they cannot broadcast a and b against
      // each other ([2,1,…] · [1,3,…]); compare with cpu wherever it can (and where its JS loops take under a second).
      const batches = (shape: number[]) => shape.slice(0, -2).reduce((p, d) => p * d, 1);
      const multiplyAdds = reference.values.length * k;
      if (batches(reference.shape) === Math.max(batches(aShape), batches(bShape)) && multiplyAdds <= 5e6) {
        const [expected] = await runOn('cpu', product);
        expect(worstRatio({ actual: actual.values, expected: expected.values, bound: bound.map((x) => 2 * x) })).toBeLessThanOrEqual(1);
      }
    });

    it('gives empty outputs for a zero-sized m or batch and zeros for k = 0', async () => {
      await tf.setBackend('wasm');
      const before = liveCounts();
      const results = tf.tidy(() => [
        tf.matMul(tf.zeros([0, 5]), tf.ones([5, 3])),
        tf.matMul(tf.zeros([0, 2, 5]), tf.ones([5, 3])),
        tf.matMul(tf.ones([3, 0]), tf.ones([0, 4])),
        tf.matMul(tf.ones([2, 0, 3]), tf.ones([2, 0, 4]), true, false),
      ]);
      expect(results.map((t) => t.shape)).toEqual([[0, 3], [0, 2, 3], [3, 4], [2, 3, 4]]);
      expect(Array.from(results[2].dataSync())).toEqual(new Array(12).fill(0));
      expect(Array.from(results[3].dataSync())).toEqual(new Array(24).fill(0));
      tf.dispose(results);
      expect(liveCounts()).toEqual(before);
    });

    it('rejects mismatched inner dimensions with the tfjs message', async () => {
      await tf.setBackend('wasm');
      const before = liveCounts();
      expect(() => tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([4, 5])))).toThrow(/inner shapes \(3\) and \(4\)/);
      expect(liveCounts()).toEqual(before);
    });

    it('gives fresh results when the same buffer is multiplied under two shapes (no stale cached XNNPACK weights)', async () => {
      // tf.reshape shares the buffer: a cache keyed by the buffer's id would reuse weights packed as 6×4 for 4×6.
      const rng = new SeededRng(11);
      const w = randomNormal(rng, [6, 4]);
      const x = randomNormal(rng, [5, 6]);
      const y = randomNormal(rng, [5, 4]);
      const both = () => {
        const weights = tf.tensor(w.values, w.shape);
        return [tf.matMul(tf.tensor(x.values, x.shape), weights), tf.matMul(tf.tensor(y.values, y.shape), tf.reshape(weights, [4, 6])), tf.matMul(tf.tensor(x.values, x.shape), weights)];
      };
      const expected = await runOn('cpu', both);
      const actual = await runOn('wasm', both);
      for (let i = 0; i < expected.length; i++) {
        const bound = expected[i].values.map(() => 1e-5);
        expect(worstRatio({ actual: actual[i].values, expected: expected[i].values, bound })).toBeLessThanOrEqual(1);
      }
    });
  });

  const GRADIENT_CASES: MatMulCase[] = [
    ['2-D', [9, 7], [7, 5], false, false],
    ['2-D, a transposed', [7, 9], [7, 5], true, false],
    ['2-D, b transposed', [9, 7], [5, 7], false, true],
    ['2-D, both transposed', [7, 9], [5, 7], true, true],
    ['batched, both transposed', [3, 7, 9], [3, 5, 7], true, true],
    ['attention scores, b transposed', [2, 3, 16, 8], [2, 3, 16, 8], false, true],
    ['attention context', [2, 3, 16, 16], [2, 3, 16, 8], false, false],
  ];
  // (No broadcast batch dimensions here: tfjs-core's matMul gradient does not sum over them, on any backend.)

  describe('gradients through tf.matMul on wasm equal the cpu backend', () => {
    it.each(GRADIENT_CASES)('%s: a %j, b %j (transposeA %p, transposeB %p)', async (label, aShape, bShape, transposeA, transposeB) => {
      const rng = new SeededRng(label.length * 31 + 5);
      const a = randomNormal(rng, aShape);
      const b = randomNormal(rng, bShape);
      const outShape = tf.tidy(() => tf.matMul(tf.zeros(aShape), tf.zeros(bShape), transposeA, transposeB).shape);
      const w = randomNormal(rng, outShape);
      const gradients = (abs: boolean) => () => {
        const lift = (x: { values: Float32Array; shape: number[] }) => (abs ? tf.abs(tf.tensor(x.values, x.shape)) : tf.tensor(x.values, x.shape));
        const weights = lift(w);
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, transposeA, transposeB), weights));
        return tf.grads(f)([lift(a), lift(b)]);
      };
      const expected = await runOn('cpu', gradients(false));
      const scales = await runOn('cpu', gradients(true));
      await tf.setBackend('wasm');
      const before = liveCounts();
      const actual = await runOn('wasm', gradients(false));
      expect(liveCounts()).toEqual(before);
      const dims = [...aShape.slice(-2), ...bShape.slice(-2)];
      const batch = outShape.slice(0, -2).reduce((p, d) => p * d, 1);
      const terms = Math.max(...dims) * batch;
      expect(actual.map((g) => g.shape)).toEqual([aShape, bShape]);
      for (let i = 0; i < 2; i++) {
        const bound = scales[i].values.map((s) => 2 * terms * EPS32 * s + 1e-30);
        expect(worstRatio({ actual: actual[i].values, expected: expected[i].values, bound })).toBeLessThanOrEqual(1);
      }
    });
  });

  type FusedCase = [label: string, aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean, bias: number[] | null, activation: tf.fused.Activation];

  const FUSED_CASES: FusedCase[] = [
    ['no bias, linear, batched, both transposed', [3, 11, 7], [3, 5, 11], true, true, null, 'linear'],
    ['bias [n], relu, b transposed', [13, 9], [6, 9], false, true, [6], 'relu'],
    ['bias [n], relu6, batched, a transposed', [2, 9, 13], [2, 9, 6], true, false, [6], 'relu6'],
    ['bias [n], sigmoid, batch broadcast', [4, 13, 9], [1, 9, 6], false, false, [6], 'sigmoid'],
    ['bias [n], elu', [13, 9], [9, 6], false, false, [6], 'elu'],
    ['bias [1, n], leakyrelu, b transposed', [13, 9], [6, 9], false, true, [1, 6], 'leakyrelu'],
    ['bias [m, n] (not fusable), linear, a transposed', [9, 13], [9, 6], true, false, [13, 6], 'linear'],
    ['bias [1] (not fusable), relu', [13, 9], [9, 6], false, false, [1], 'relu'],
    ['prelu with weights [n], b transposed', [13, 9], [6, 9], false, true, [6], 'prelu'],
  ];

  describe('_FusedMatMul (project kernel on wasm) equals the cpu backend', () => {
    it.each(FUSED_CASES)('%s', async (label, aShape, bShape, transposeA, transposeB, biasShape, activation) => {
      const rng = new SeededRng(label.length * 131 + 3);
      const a = randomNormal(rng, aShape);
      const b = randomNormal(rng, bShape);
      const bias = biasShape ? randomNormal(rng, biasShape) : null;
      const n = transposeB ? bShape[bShape.length - 2] : bShape[bShape.length - 1];
      const prelu = randomNormal(rng, [n]);
      const fused = (abs: boolean) => () => {
        const lift = (x: { values: Float32Array; shape: number[] }) => (abs ? tf.abs(tf.tensor(x.values, x.shape)) : tf.tensor(x.values, x.shape));
        const product = tf.fused.matMul({
          a: lift(a),
          b: lift(b),
          transposeA,
          transposeB,
          bias: bias ? lift(bias) : undefined,
          activation: abs ? 'linear' : activation,
          preluActivationWeights: activation === 'prelu' && !abs ? tf.tensor(prelu.values, prelu.shape) : undefined,
          leakyreluAlpha: 0.1,
        });
        return product;
      };
      const [expected] = await runOn('cpu', fused(false));
      const [scale] = await runOn('cpu', fused(true)); // |A|·|B| + |bias|: every activation here is 1-Lipschitz (prelu: |weights| < 5)
      await tf.setBackend('wasm');
      const before = liveCounts();
      const [actual] = await runOn('wasm', fused(false));
      expect(liveCounts()).toEqual(before);
      expect(actual.shape).toEqual(expected.shape);
      const k = transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
      const lipschitz = activation === 'prelu' ? Math.max(1, ...prelu.values.map(Math.abs)) : 1;
      // (k + 1) terms with the bias; the activation's own rounding (exp in sigmoid/elu) adds a few ulp of the result.
      const bound = scale.values.map((s, i) => 2 * (k + 1) * EPS32 * s * lipschitz + 8 * EPS32 * Math.abs(expected.values[i]) + 1e-30);
      expect(worstRatio({ actual: actual.values, expected: expected.values, bound })).toBeLessThanOrEqual(1);
    });

    it('trains through tf.fused.matMul with a bias: gradients equal the cpu backend', async () => {
      const rng = new SeededRng(77);
      const a = randomNormal(rng, [12, 7]);
      const b = randomNormal(rng, [5, 7]);
      const bias = randomNormal(rng, [5]);
      const w = randomNormal(rng, [12, 5]);
      const gradients = () => {
        const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
          tf.sum(tf.mul(tf.fused.matMul({ a: x, b: y, transposeB: true, bias: z }), tf.tensor(w.values, w.shape)));
        return tf.grads(f)([tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape), tf.tensor(bias.values, bias.shape)]);
      };
      const expected = await runOn('cpu', gradients);
      const before = liveCounts();
      const actual = await runOn('wasm', gradients);
      expect(liveCounts()).toEqual(before);
      for (let i = 0; i < 3; i++) {
        expect(actual[i].shape).toEqual(expected[i].shape);
        // Sums of at most 12 products of N(0, 1) values: well within 1e-5 (the bound above gives ~3e-6 · |values|).
        const bound = expected[i].values.map((v) => 1e-5 * (1 + Math.abs(v)));
        expect(worstRatio({ actual: actual[i].values, expected: expected[i].values, bound })).toBeLessThanOrEqual(1);
      }
    });
  });
});

describe('registration', () => {
  it('replaces the stock kernels, can put them back, and the stock kernel agrees', async () => {
    await tf.setBackend('wasm');
    expect(wasmKernelsRegistered()).toBe(true);
    registerWasmKernels(); // idempotent
    expect(wasmKernelsRegistered()).toBe(true);
    const rng = new SeededRng(5);
    const a = randomNormal(rng, [3, 20, 30]);
    const b = randomNormal(rng, [3, 25, 30]);
    const product = () => tf.matMul(tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape), false, true);
    const [ours] = await runOn('wasm', product);
    unregisterWasmKernels();
    expect(wasmKernelsRegistered()).toBe(false);
    const [stock] = await runOn('wasm', product);
    registerWasmKernels();
    expect(wasmKernelsRegistered()).toBe(true);
    const [scale] = await runOn('cpu', () => tf.matMul(tf.abs(tf.tensor(a.values, a.shape)), tf.abs(tf.tensor(b.values, b.shape)), false, true));
    const bound = scale.values.map((s) => 2 * 30 * EPS32 * s);
    expect(worstRatio({ actual: ours.values, expected: stock.values, bound })).toBeLessThanOrEqual(1);
  });

  // Speed against the stock kernel (xᵀ·dy, the fast 2-D path): tools/bench/bench-kernel-speedups.mjs.
});
