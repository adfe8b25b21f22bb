// Training-step benchmark: a small BERT (vocab 8000, hidden 256, 4 layers, 4 heads, FFN 1024, seq 128, batch 8),
// masked-LM loss + AdamW + global-norm clipping, dropout on — in @koenbert/bert on the backend initBackend picks
// (KOENBERT_BACKEND to force one) and, in the same run, the identical model in PyTorch
// (tools/bench/bench_train_step_torch.py, torch.set_num_threads(1)). Prints ms/step (median after warm-up) and the ratio.
// Numbers in packages/bert/README.md. Rerun from the repository root:
//   npx nx run @koenbert/bert:build && node tools/bench/bench-train-step.mjs [--steps 5] [--warmup 2]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { createSmallBertMlmStep } from './small-bert-mlm-step.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEPS = arg('steps', 5);
const WARMUP = arg('warmup', 2);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const backend = await initBackend({ logger: (line) => console.log(line) });
const bench = createSmallBertMlmStep();

const times = [];
const losses = [];
const tensorCounts = [];
for (let step = 0; step < WARMUP + STEPS; step++) {
  const start = performance.now();
  losses.push(bench.step(step));
  if (step >= WARMUP) times.push(performance.now() - start);
  tensorCounts.push(tf.memory().numTensors);
}
const ours = median(times);
console.log(`koenbert (${backend.name}): ${times.map((t) => t.toFixed(0)).join(', ')} ms → median ${ours.toFixed(0)} ms/step`);
console.log(`  losses ${losses.map((l) => l.toFixed(3)).join(' ')}; tensors after each step ${[...new Set(tensorCounts)].join('/')}; rss ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB`);
bench.dispose();

const torchRun = JSON.parse(
  execFileSync('/usr/bin/python3', [path.join(here, 'bench_train_step_torch.py'), String(WARMUP), String(STEPS)], { encoding: 'utf8' }).trim(),
);
const theirs = median(torchRun.ms);
console.log(`PyTorch ${torchRun.torch} (CPU, ${torchRun.threads} thread): ${torchRun.ms.map((t) => t.toFixed(0)).join(', ')} ms → median ${theirs.toFixed(0)} ms/step`);
console.log(`ratio koenbert / PyTorch: ${(ours / theirs).toFixed(2)}×`);
