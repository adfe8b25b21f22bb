import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { gelu } from '../src/lib/gelu';
import { erfConfig, GELU, GELU_GRAD } from '../src/lib/wasm-kernels/erf-gelu';
import { EPS32, liveCounts, ulp32, worstRatio } from './kernel-test-utils';

// Float64 values from the C library (tools/golden/make-erf-gelu-golden.py) at float32 inputs.
const golden: { x: number[]; erf: number[]; gelu: number[]; geluGrad: number[] } = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures/erf-gelu-golden.json'), 'utf8'),
);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await initBackend({ backend: 'wasm' });
});


/**
 * GELU and its derivative go through Φ(x) = (1 + erf(x/√2))/2, whose float32 value has an absolute error of a few
 * 2^-24 wherever erf is near −1 (x ≪ 0: every float32 implementation, tfjs's op path and torch's included, loses the
 * relative precision of the tiny result there); elsewhere the error is a few ulp of the value.
 */
function geluBound(x: number, value: number): number {
  return 8 * ulp32(value) + 4 * (Math.abs(x) + 1) * EPS32;
}

describe('Erf (project kernel on wasm, csrc/erf_gelu.c)', () => {
  it('is the registered wasm Erf', () => {
    expect(tf.getKernel(tf.Erf, 'wasm').kernelFunc).toBe(erfConfig.kernelFunc);
  });

  it('is within 3 ulp of the float64 erf at 2425 float32 points in [-6, 6], tiny and boundary values included', () => {
    const actual = tf.tidy(() => tf.erf(tf.tensor1d(golden.x)).dataSync());
    const bound = golden.erf.map((value) => 3 * ulp32(value));
    expect(worstRatio({ actual, expected: golden.erf, bound })).toBeLessThanOrEqual(1);
  });

  it('is odd, saturates to ±1, keeps NaN', () => {
    const actual = Array.from(tf.tidy(() => tf.erf(tf.tensor1d([NaN, Infinity, -Infinity, 0, -0, 50, -50])).dataSync()));
    expect(Number.isNaN(actual[0])).toBe(true);
    expect(actual.slice(1)).toEqual([1, -1, 0, -0, 1, -1]);
  });
});

describe('gelu (fused kernels on wasm, tf ops elsewhere)', () => {
  it('uses the fused kernels on wasm', () => {
    expect(tf.getKernel(GELU, 'wasm')).toBeDefined();
    expect(tf.getKernel(GELU_GRAD, 'wasm')).toBeDefined();
    expect(tf.getKernel(GELU, 'cpu')).toBeUndefined();
  });

  it.each(['wasm', 'cpu'])('on %s: value and gradient agree with float64 x·Φ(x) and Φ(x) + x·φ(x)', async (backend) => {
    await tf.setBackend(backend);
    const before = liveCounts();
    const dy = golden.x.map((_, i) => 1 + (i % 7) / 7);
    const [value, grad] = tf.tidy(() => {
      const x = tf.tensor1d(golden.x);
      const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(gelu(input), tf.tensor1d(dy))))(x);
      return [gelu(x).dataSync(), g.dataSync()];
    });
    expect(liveCounts()).toEqual(before);
    expect(worstRatio({ actual: value, expected: golden.gelu, bound: golden.x.map((x, i) => geluBound(x, golden.gelu[i])) })).toBeLessThanOrEqual(1);
    const expectedGrad = golden.geluGrad.map((g, i) => g * dy[i]);
    expect(worstRatio({ actual: grad, expected: expectedGrad, bound: golden.x.map((x, i) => dy[i] * geluBound(x, golden.geluGrad[i])) })).toBeLessThanOrEqual(1);
    await tf.setBackend('wasm');
  });

  it('keeps the shape and works on empty tensors', () => {
    const shapes = tf.tidy(() => [gelu(tf.zeros([2, 0, 3])).shape, gelu(tf.ones([2, 3, 4])).shape]);
    expect(shapes).toEqual([[2, 0, 3], [2, 3, 4]]);
  });
});
