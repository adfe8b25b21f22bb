// Training-step benchmark: a small BERT (vocab 8000, hidden 256, 4 layers, 4 heads, FFN 1024, seq 128, batch 8),
// masked-LM loss + AdamW + global-norm clipping, dropout on — in @koenbert/bert on the backend initBackend picks
// (KOENBERT_BACKEND to force one) and, in the same run, the identical model in PyTorch
// (tools/bench/bench_train_step_torch.py, torch.set_num_threads(1)), in alternating rounds. Prints ms/step (medians
// after warm-up), the ratio, and where our step's time goes (one more step under tf.profile): the matrix products alone
// set a floor under the ratio that no element-wise kernel work can remove. KOENBERT_WASM_THREADS sets the wasm threads,
// KOENBERT_WASM_GEMM=xnnpack the old matmul path. Numbers in packages/bert/README.md. Rerun from the repository root:
//   npx nx run-many -t build -p @koenbert/tensor-utils @koenbert/bert && node tools/bench/bench-train-step.mjs [--steps 5] [--warmup 2] [--rounds 3]
// The PyTorch side runs under Debian's /usr/bin/python3 (torch 1.13 + OpenBLAS); KOENBERT_BENCH_PYTHON picks another
// Python, e.g. the pinned current torch of tools/interop (~/.cache/koenbert/interop-venv-*/bin/python: torch 2.15 with
// MKL, whose threads follow torch.set_num_threads — KOENBERT_BENCH_TORCH_THREADS, default 1).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { backendLabel } from './backend-label.mjs';
import { createSmallBertMlmStep, profileStep } from './small-bert-mlm-step.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEPS = arg('steps', 5);
const WARMUP = arg('warmup', 2);
const ROUNDS = arg('rounds', 3);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const backend = await initBackend({ logger: (line) => console.log(line) });
const bench = createSmallBertMlmStep();

// This VM's speed drifts by ±20 % over tens of seconds, so the two are measured in alternating rounds (koenbert steps,
// then a PyTorch run of the same number of steps) and each median is over all its rounds.
const runTorch = () =>
  JSON.parse(execFileSync(process.env.KOENBERT_BENCH_PYTHON ?? '/usr/bin/python3', [path.join(here, 'bench_train_step_torch.py'), String(WARMUP), String(STEPS)], { encoding: 'utf8' }).trim());
const times = [];
const losses = [];
const tensorCounts = [];
const torchMs = [];
let torchRun;
let step = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < (round === 0 ? WARMUP : 0) + STEPS; i++, step++) {
    const start = performance.now();
    losses.push(bench.step(step));
    if (step >= WARMUP) times.push(performance.now() - start);
    tensorCounts.push(tf.memory().numTensors);
  }
  torchRun = runTorch();
  torchMs.push(...torchRun.ms);
}
const ours = median(times);
console.log(`koenbert (${backend.name}), ${ROUNDS} rounds of ${STEPS}: ${times.map((t) => t.toFixed(0)).join(', ')} ms → median ${ours.toFixed(0)} ms/step`);
console.log(`  losses ${losses.map((l) => l.toFixed(3)).join(' ')}; tensors after each step ${[...new Set(tensorCounts)].join('/')}; rss ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB`);
const profiled = await profileStep(bench.step, step);
bench.dispose();
// tf.profile reads every kernel's output back, so its times add up to more than a plain step; shares are what count.
const matMulShare = profiled.matMulMs / profiled.totalMs;

const theirs = median(torchMs);
console.log(`PyTorch ${torchRun.torch} (CPU, ${torchRun.threads} thread), after each koenbert round: ${torchMs.map((t) => t.toFixed(0)).join(', ')} ms → median ${theirs.toFixed(0)} ms/step`);
console.log(`ratio koenbert / PyTorch: ${(ours / theirs).toFixed(2)}×`);
console.log('');
console.log(`where the koenbert step goes (one profiled step, ${profiled.calls} kernel calls): BatchMatMul ${(100 * matMulShare).toFixed(0)} % ` +
  `(${(profiled.matMulFlops / 1e9).toFixed(1)} GFLOP at ${(profiled.matMulFlops / 1e6 / profiled.matMulMs).toFixed(1)} GFLOP/s), other kernels ${(100 * (1 - matMulShare)).toFixed(0)} %: ` +
  [...profiled.byName].filter(([name]) => name !== 'BatchMatMul').slice(0, 5).map(([name, entry]) => `${name} ${((100 * entry.ms) / profiled.totalMs).toFixed(0)} %`).join(', '));
console.log(`matrix products alone: ${(matMulShare * ours).toFixed(0)} ms/step = ${((matMulShare * ours) / theirs).toFixed(2)}× the whole PyTorch step`);
console.log(`| ${backendLabel(backend)} | ${ours.toFixed(0)} | ${theirs.toFixed(0)} | ${(ours / theirs).toFixed(2)}× | ${(100 * matMulShare).toFixed(0)} % | ${((matMulShare * ours) / theirs).toFixed(2)}× |`);
