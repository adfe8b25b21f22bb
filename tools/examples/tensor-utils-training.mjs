// Usage example of @koenbert/tensor-utils training helpers (shown in its README): config resolution, seeded RNG,
// AdamW with global-norm clipping and a linear warmup/decay schedule, a JSONL log, ETA formatting.
// Rerun from the repository root: npx nx run @koenbert/tensor-utils:build && node tools/examples/tensor-utils-training.mjs
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import {
  AdamW,
  clipByGlobalNorm,
  describeSchema,
  formatDuration,
  etaSeconds,
  initBackend,
  JsonlLogger,
  linearWarmupDecay,
  readJsonl,
  resolveConfig,
  SeededRng,
} from '@koenbert/tensor-utils';

await initBackend({ backend: 'wasm' });
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-train-example-'));

// 1. One schema gives defaults, validation, --help rows; defaults < file < overrides.
const schema = z.object({
  seed: z.number().int().default(0).describe('random seed'),
  train: z.object({
    lr: z.number().positive().default(0.1).describe('peak learning rate'),
    steps: z.number().int().positive().default(60).describe('optimizer steps'),
    warmupSteps: z.number().int().nonnegative().default(6).describe('linear warmup steps'),
    maxGradNorm: z.number().positive().default(1).describe('global-norm clipping threshold'),
  }),
});
const configFile = path.join(work, 'config.yaml');
await fs.writeFile(configFile, 'seed: 1234\ntrain:\n  steps: 40\n');
const config = await resolveConfig({ schema, file: configFile, overrides: { 'train.lr': 0.05 } });
console.log('config:', JSON.stringify(config));
for (const row of describeSchema(schema)) console.log(`  --${row.key.padEnd(18)} ${row.type.padEnd(8)} ${String(row.default).padEnd(5)} ${row.description}`);
await resolveConfig({ schema, file: configFile, overrides: { 'train.lrr': 1 } }).catch((error) => console.log(`${error.name} ${error.code}: ${error.message}`));

// 2. A seeded problem: fit y = X·w_true + b_true with AdamW (bias not decayed), clipping and the schedule.
const rng = new SeededRng(config.seed);
const n = 256;
const d = 8;
const wTrue = Array.from({ length: d }, () => rng.normal());
const xs = Array.from({ length: n * d }, () => rng.normal());
const ys = Array.from({ length: n }, (_, i) => wTrue.reduce((s, w, j) => s + w * xs[i * d + j], 0) + 0.5 + 0.01 * rng.normal());
const X = tf.tensor2d(xs, [n, d]);
const Y = tf.tensor2d(ys, [n, 1]);
const init = rng.fork('init');
const params = new Map([
  ['dense.weight', tf.variable(tf.tensor2d(Array.from({ length: d }, () => 0.02 * init.normal()), [d, 1]), true, 'dense.weight')],
  ['dense.bias', tf.variable(tf.zeros([1]), true, 'dense.bias')],
]);
const optimizer = new AdamW({ lr: config.train.lr, weightDecay: 0.01 });
const logFile = path.join(work, 'train.jsonl');
const logger = new JsonlLogger(logFile);
const started = Date.now();
const tensorsBefore = tf.memory().numTensors;
for (let step = 0; step < config.train.steps; step++) {
  const lossFn = () => tf.losses.meanSquaredError(Y, tf.add(tf.matMul(X, params.get('dense.weight')), params.get('dense.bias')));
  const { value, grads } = tf.variableGrads(lossFn, [...params.values()]);
  const named = new Map([...params].map(([name, v]) => [name, grads[v.name]]));
  const clipped = clipByGlobalNorm(named, config.train.maxGradNorm);
  const lr = linearWarmupDecay({ step, peakLr: config.train.lr, warmupSteps: config.train.warmupSteps, totalSteps: config.train.steps });
  optimizer.applyGradients(params, clipped.grads, lr);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads), ...clipped.grads.values()]);
  logger.log({ step, loss, lr, gradNorm: clipped.globalNorm });
}
await logger.close();
const records = await readJsonl(logFile);
for (const r of records.filter((r) => r.step % 10 === 0 || r.step === config.train.steps - 1)) {
  console.log(`step ${String(r.step).padStart(2)}  loss ${r.loss.toFixed(4).padStart(7)}  lr ${r.lr.toFixed(4)}  |g| ${r.gradNorm.toFixed(3)}`);
}
console.log(`${records.length} lines in train.jsonl; first: ${JSON.stringify(Object.keys(records[0]))}`);
console.log('tensors: before', tensorsBefore, 'after', tf.memory().numTensors, '(+2 moments per parameter)');

// 3. Resume: the optimizer state and the RNG state go into a checkpoint and come back bit-exact.
const restored = new AdamW({ lr: config.train.lr, weightDecay: 0.01 });
restored.setState(optimizer.getState());
const rngCopy = SeededRng.fromState(rng.getState());
console.log('resumed rng draws equal:', rng.nextUint32() === rngCopy.nextUint32(), '; optimizer steps:', restored.iterations);
console.log('ETA at step 250 of 1000 after 95 s:', formatDuration(etaSeconds({ step: 250, total: 1000, elapsedSeconds: 95 })));
optimizer.dispose();
restored.dispose();
await fs.rm(work, { recursive: true, force: true });
