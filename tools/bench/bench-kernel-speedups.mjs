// Speed of two project wasm kernels against a reference measured in the same run (these were wall-clock asserts in
// the tensor-utils tests, which a busy machine could fail; issue 17):
//  - BatchMatMul with a transposed operand, xᵀ·dy ([512, 256]ᵀ · [512, 256], a linear layer's weight gradient):
//    project kernel (XNNPACK, the fast 2-D path) against the stock tfjs wasm kernel (a naive loop). The test asserted
//    stock / project > 3 (expected 15–30×).
//  - UnsortedSegmentSum of an embedding-sized gradient (1024 rows of 256 into an 8000-row table): project kernel (one
//    pass; the time includes allocating the 8 MB output and reading it back) against the same single pass written in
//    plain JavaScript on Float32Arrays. The test asserted < 1000 ms.
// Each is measured alternately (kernel, reference, kernel, …) so that a change of load hits both alike; medians.
// Rerun from the repository root:
//   npx nx run @koenbert/tensor-utils:build && node tools/bench/bench-kernel-speedups.mjs [--repeats 7]
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend, registerWasmKernels, SeededRng, unregisterWasmKernels } from '@koenbert/tensor-utils';
import { backendLabel } from './backend-label.mjs';

const repeatsFlag = process.argv.indexOf('--repeats');
const REPEATS = repeatsFlag > 0 ? Number(process.argv[repeatsFlag + 1]) : 7;
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

/** Median ms of each named function, run alternately REPEATS times after one warm-up round. */
function alternate(runs) {
  const times = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
  for (let i = 0; i <= REPEATS; i++) {
    for (const [name, run] of Object.entries(runs)) {
      const start = performance.now();
      run();
      if (i > 0) times[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
}

function matMulTransposed() {
  const x = tf.randomNormal([512, 256], 0, 1, 'float32', 1);
  const dy = tf.randomNormal([512, 256], 0, 1, 'float32', 2);
  const product = () => tf.tidy(() => void tf.matMul(x, dy, true, false).dataSync());
  const ms = alternate({
    project: () => {
      registerWasmKernels();
      product();
    },
    stock: () => {
      unregisterWasmKernels();
      product();
    },
  });
  registerWasmKernels();
  tf.dispose([x, dy]);
  return ms;
}

function segmentSum() {
  const [rows, inner, segments] = [1024, 256, 8000];
  const rng = new SeededRng(8);
  const values = Float32Array.from({ length: rows * inner }, () => rng.normal());
  const ids = Int32Array.from({ length: rows }, () => rng.int(segments));
  const x = tf.tensor2d(values, [rows, inner]);
  const segmentIds = tf.tensor1d(ids, 'int32');
  const ms = alternate({
    project: () => tf.tidy(() => void tf.unsortedSegmentSum(x, segmentIds, segments).dataSync()),
    'plain JS': () => {
      const out = new Float32Array(segments * inner);
      for (let r = 0; r < rows; r++) {
        const to = ids[r] * inner;
        const from = r * inner;
        for (let j = 0; j < inner; j++) out[to + j] += values[from + j];
      }
      return out;
    },
  });
  tf.dispose([x, segmentIds]);
  return ms;
}

const choice = await initBackend({ backend: 'wasm' });
const tensorsBefore = tf.memory().numTensors;
const matMul = matMulTransposed();
const segment = segmentSum();
if (tf.memory().numTensors !== tensorsBefore) throw new Error('tensor leak in the benchmark');

console.log(`# bench-kernel-speedups: ${os.cpus()[0].model}, ${os.cpus().length} vCPU, load ${os.loadavg()[0].toFixed(1)}; node ${process.version}`);
console.log(`# tfjs ${tf.version.tfjs}, backend ${backendLabel(choice)}; median of ${REPEATS} alternating runs after one warm-up`);
console.log('');
console.log('| kernel | shapes | project ms | reference | reference ms | reference / project |');
console.log('|---|---|---:|---|---:|---:|');
console.log(`| BatchMatMul xᵀ·dy | [512, 256]ᵀ · [512, 256] | ${matMul.project.toFixed(2)} | stock tfjs wasm kernel | ${matMul.stock.toFixed(2)} | ${(matMul.stock / matMul.project).toFixed(1)}× |`);
console.log(
  `| UnsortedSegmentSum | 1024 × 256 rows into 8000 segments | ${segment.project.toFixed(2)} | the same single pass in plain JS | ${segment['plain JS'].toFixed(2)} | ${(segment['plain JS'] / segment.project).toFixed(2)}× |`,
);
