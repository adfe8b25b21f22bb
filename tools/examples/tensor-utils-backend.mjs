// Usage example of @koenbert/tensor-utils backend selection and wasm kernels (shown in its README).
// Rerun from the repository root: npx nx run @koenbert/tensor-utils:build && node tools/examples/tensor-utils-backend.mjs
import * as tf from '@tensorflow/tfjs';
import { initBackend, KoenbertError } from '@koenbert/tensor-utils';

// 1. Pick the backend: the option, else KOENBERT_BACKEND, else tensorflow when a native binding loads, else wasm.
const choice = await initBackend({ logger: (line) => console.log(line) });
await initBackend({ logger: (line) => console.log(line) }); // idempotent: same choice, nothing logged

// 2. Train through an embedding lookup and x·Wᵀ on wasm (UnsortedSegmentSum and the transposed BatchMatMul).
const table = tf.variable(tf.randomNormal([1000, 64], 0, 0.1, 'float32', 1));
const weight = tf.variable(tf.randomNormal([32, 64], 0, 0.1, 'float32', 2));
const ids = tf.tensor1d([3, 17, 3, 999, 42, 17], 'int32');
const target = tf.randomNormal([6, 32], 0, 1, 'float32', 3);
const optimizer = tf.train.sgd(0.5);
const tensorsBefore = tf.memory().numTensors;
for (let step = 0; step <= 30; step++) {
  const loss = optimizer.minimize(() => tf.losses.meanSquaredError(target, tf.matMul(tf.gather(table, ids), weight, false, true)), true);
  if (step % 10 === 0) console.log(`step ${step}: loss ${loss.dataSync()[0].toFixed(4)}`);
  loss.dispose();
}
console.log(`tensors: ${tensorsBefore} before, ${tf.memory().numTensors} after 31 steps`);

// 3. A wrong KOENBERT_BACKEND is a one-line error naming what is allowed.
try {
  await initBackend({ env: { KOENBERT_BACKEND: 'gpu' } });
} catch (error) {
  if (error instanceof KoenbertError) console.log(`${error.name} ${error.code}: ${error.message}`);
}
console.log(`picked: ${choice.name}`);
