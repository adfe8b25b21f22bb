// Ridge regression with λ chosen by 5-fold cross-validation (11 α values) on 768-dimensional embeddings and
// ~20k pairs — the size of a BERT-base vocabulary transfer — with @koenbert/embed-init on the tfjs wasm backend.
// The data are synthetic (X ~ N(0, 1), Y = X·A + noise): the cost depends only on the sizes.
// Prints wall time, process CPU time (less sensitive to other load on a shared machine) and the load average.
// Rerun from the repository root: npx nx run @koenbert/embed-init:build && node tools/bench/bench-ridge.mjs [pairs] [dims] [--all]
//   --all also times lstsq and procrustes at the same size.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { fitLstsq, fitProcrustes, fitRidge } from '@koenbert/embed-init';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const pairs = Number(args[0] ?? 20000);
const dims = Number(args[1] ?? 768);
const all = process.argv.includes('--all');

const backend = await initBackend({ backend: 'wasm' });
const [x, y] = tf.tidy(() => {
  const xs = tf.randomNormal([pairs, dims], 0, 1, 'float32', 1);
  const a = tf.randomNormal([dims, dims], 0, 1 / Math.sqrt(dims), 'float32', 2);
  const ys = tf.add(tf.matMul(xs, a), tf.randomNormal([pairs, dims], 0, 0.5, 'float32', 3));
  return [xs, ys];
});
const data = { x: { rows: pairs, cols: dims, data: x.dataSync() }, y: { rows: pairs, cols: dims, data: y.dataSync() } };
tf.dispose([x, y]);

function measure(label, run) {
  const load = os.loadavg()[0];
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = run();
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(`${label.padEnd(24)} wall ${wall.toFixed(2).padStart(6)} s   cpu ${cpuSeconds.toFixed(2).padStart(6)} s   (1-min load average before: ${load.toFixed(2)})`);
  return result;
}

console.log(`${pairs} pairs, ${dims} → ${dims} dims, tfjs backend ${backend.name}, ${os.cpus().length} CPUs (${os.cpus()[0].model.trim()}), Node ${process.version}`);
const fit = measure('ridge, 5-fold CV, 11 α', () => fitRidge({ ...data, folds: 5, seed: 0 }));
const t = fit.timings;
console.log(`  cross products ${t.productsSeconds.toFixed(2)} s, CV ${t.cvSeconds.toFixed(2)} s, final solve ${t.solveSeconds.toFixed(2)} s; chosen α ${fit.alpha} (λ ${fit.lambda.toPrecision(4)})`);
measure('ridge, fixed λ', () => fitRidge({ ...data, lambda: fit.lambda }));
if (all) {
  measure('lstsq', () => fitLstsq(data));
  measure('procrustes', () => fitProcrustes(data));
}
