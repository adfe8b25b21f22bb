// AdamW / clipByGlobalNorm cost on the small BERT of the training benchmark (vocab 8000, hidden 256, 4 layers,
// FFN 1024, 512 positions), tfjs wasm backend, next to tfjs's own tf.train.adam (no weight decay) on the same tensors.
// Rerun from the repository root: npx nx run @koenbert/tensor-utils:build && node tools/bench/adamw-bench.mjs
import * as tf from '@tensorflow/tfjs';
import { AdamW, clipByGlobalNorm, initBackend, SeededRng } from '@koenbert/tensor-utils';

await initBackend({ backend: 'wasm' });
const H = 256;
const shapes = new Map([
  ['bert.embeddings.word_embeddings.weight', [8000, H]],
  ['bert.embeddings.position_embeddings.weight', [512, H]],
  ['bert.embeddings.token_type_embeddings.weight', [2, H]],
  ['bert.embeddings.LayerNorm.weight', [H]],
  ['bert.embeddings.LayerNorm.bias', [H]],
]);
for (let l = 0; l < 4; l++) {
  const p = `bert.encoder.layer.${l}`;
  for (const m of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
    shapes.set(`${p}.${m}.weight`, [H, H]);
    shapes.set(`${p}.${m}.bias`, [H]);
  }
  shapes.set(`${p}.attention.output.LayerNorm.weight`, [H]);
  shapes.set(`${p}.attention.output.LayerNorm.bias`, [H]);
  shapes.set(`${p}.intermediate.dense.weight`, [4 * H, H]);
  shapes.set(`${p}.intermediate.dense.bias`, [4 * H]);
  shapes.set(`${p}.output.dense.weight`, [H, 4 * H]);
  shapes.set(`${p}.output.dense.bias`, [H]);
  shapes.set(`${p}.output.LayerNorm.weight`, [H]);
  shapes.set(`${p}.output.LayerNorm.bias`, [H]);
}
const rng = new SeededRng(0);
const random = (shape) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 0.02 * rng.normal()), shape);
const params = new Map([...shapes].map(([name, shape]) => [name, tf.variable(random(shape), true, name)]));
const grads = new Map([...shapes].map(([name, shape]) => [name, random(shape)]));
const count = [...shapes.values()].reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);

function time(label, fn, repeats = 10) {
  fn();
  fn();
  const ms = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} median ${ms[repeats >> 1].toFixed(1).padStart(6)} ms   best ${ms[0].toFixed(1).padStart(6)} ms`);
  return ms[repeats >> 1];
}

console.log(`${params.size} tensors, ${(count / 1e6).toFixed(2)}M parameters, backend ${tf.getBackend()}`);
const adamw = new AdamW({ lr: 1e-4, weightDecay: 0.01 });
const ours = time('AdamW.applyGradients (koenbert)', () => adamw.applyGradients(params, grads));
const stock = tf.train.adam(1e-4, 0.9, 0.999, 1e-8);
const named = Object.fromEntries([...grads].map(([name, g]) => [name, g]));
const theirs = time('tf.train.adam().applyGradients (tfjs, no decay)', () => stock.applyGradients(named));
time('clipByGlobalNorm (read norm, scale, dispose)', () => tf.dispose([...clipByGlobalNorm(grads, 0.5).grads.values()]));
console.log(`ratio AdamW / tf.train.adam: ${(ours / theirs).toFixed(2)}`);
