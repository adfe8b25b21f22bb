// GFLOP/s of tf.matMul on the tfjs wasm backend with the stock BatchMatMul kernel and with the project's kernel
// (@koenbert/tensor-utils registerWasmKernels), for the matmuls of a small-BERT training step (batch 8, seq 128,
// hidden 256, 4 heads, FFN 1024: attention and linear layers, forward and backward), and PyTorch (CPU, OpenBLAS,
// torch.set_num_threads(1)) on the same shapes in the same run. Numbers in packages/tensor-utils/README.md.
// Rerun from the repository root:
//   npx nx run @koenbert/tensor-utils:build && node tools/bench/bench-matmul.mjs [--repeats 7]
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend, registerWasmKernels, unregisterWasmKernels } from '@koenbert/tensor-utils';
import { backendLabel } from './backend-label.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repeatsFlag = process.argv.indexOf('--repeats');
const REPEATS = repeatsFlag > 0 ? Number(process.argv[repeatsFlag + 1]) : 7;

// [label, a shape, b shape, transposeA, transposeB] — shapes as passed to tf.matMul (torch layout for weights: [out, in]).
const B = 8, S = 128, H = 256, HEADS = 4, D = H / HEADS, FFN = 1024, ROWS = B * S;
const CASES = [
  ['linear fwd x·Wᵀ (FFN in)', [ROWS, H], [FFN, H], false, true],
  ['linear bwd dy·W (dx)', [ROWS, FFN], [FFN, H], false, false],
  ['linear bwd dyᵀ·x (dW)', [ROWS, FFN], [ROWS, H], true, false],
  ['attention q·kᵀ', [B, HEADS, S, D], [B, HEADS, S, D], false, true],
  ['attention p·v', [B, HEADS, S, S], [B, HEADS, S, D], false, false],
  ['attention bwd pᵀ·dc (dv)', [B, HEADS, S, S], [B, HEADS, S, D], true, false],
  ['attention bwd dsᵀ·q (dk)', [B, HEADS, S, S], [B, HEADS, S, D], true, false],
  ['attention bwd dc·vᵀ (dp)', [B, HEADS, S, D], [B, HEADS, S, D], false, true],
];

function flops([, aShape, bShape, transposeA, transposeB]) {
  const m = transposeA ? aShape.at(-1) : aShape.at(-2);
  const k = transposeA ? aShape.at(-2) : aShape.at(-1);
  const n = transposeB ? bShape.at(-2) : bShape.at(-1);
  const batch = aShape.slice(0, -2).reduce((p, d) => p * d, 1);
  return 2 * batch * m * k * n;
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

/**
 * Median ms per case of the stock and the project kernel, measured alternately (stock, project, stock, …) so that a
 * change of load on the shared machine hits both alike. The wasm kernels run synchronously: the call returns when
 * the product is done.
 */
function measureTfjs() {
  const ms = { stock: {}, project: {} };
  for (const [label, aShape, bShape, transposeA, transposeB] of CASES) {
    const a = tf.randomNormal(aShape);
    const b = tf.randomNormal(bShape);
    const run = () => tf.matMul(a, b, transposeA, transposeB).dispose();
    const times = { stock: [], project: [] };
    for (let i = 0; i <= REPEATS; i++) {
      for (const kind of ['stock', 'project']) {
        if (kind === 'stock') unregisterWasmKernels();
        else registerWasmKernels();
        const start = performance.now();
        run();
        if (i > 0) times[kind].push(performance.now() - start); // the first round is the warm-up
      }
    }
    ms.stock[label] = median(times.stock);
    ms.project[label] = median(times.project);
    tf.dispose([a, b]);
  }
  registerWasmKernels();
  return ms;
}

const choice = await initBackend({ backend: 'wasm' });
const tensorsBefore = tf.memory().numTensors;
const { stock, project } = measureTfjs();
if (tf.memory().numTensors !== tensorsBefore) throw new Error('tensor leak in the benchmark');

const torchCases = CASES.map(([label, a, b, transposeA, transposeB]) => ({ label, a, b, transposeA, transposeB, repeats: Math.max(REPEATS, 10) }));
const torch = JSON.parse(
  execFileSync('/usr/bin/python3', [path.join(here, 'bench_matmul_torch.py')], { input: JSON.stringify(torchCases), encoding: 'utf8' }),
);

const gflops = (flop, ms) => flop / ms / 1e6;
console.log(`# bench-matmul: ${os.cpus()[0].model}, ${os.cpus().length} vCPU, load ${os.loadavg()[0].toFixed(1)}; node ${process.version}`);
console.log(`# tfjs ${tf.version.tfjs}, backend ${backendLabel(choice)} (SIMD); torch ${torch.torch}, ${torch.threads} thread(s), ${torch.blas}`);
console.log(`# median of ${REPEATS} runs each, stock and project alternating (torch: ${Math.max(REPEATS, 10)} runs, afterwards), after one warm-up; GFLOP/s = 2·m·k·n·batch / time`);
console.log('');
console.log('| matmul (small BERT step) | shapes | stock wasm GFLOP/s | project wasm GFLOP/s | project / stock | PyTorch GFLOP/s | PyTorch / project |');
console.log('|---|---|---|---|---|---|---|');
const totals = { stock: 0, project: 0, torch: 0 };
for (const testCase of CASES) {
  const [label, aShape, bShape, transposeA, transposeB] = testCase;
  const flop = flops(testCase);
  const shapes = `${JSON.stringify(aShape)}${transposeA ? 'ᵀ' : ''} · ${JSON.stringify(bShape)}${transposeB ? 'ᵀ' : ''}`;
  totals.stock += stock[label];
  totals.project += project[label];
  totals.torch += torch.ms[label];
  const [s, p, t] = [gflops(flop, stock[label]), gflops(flop, project[label]), gflops(flop, torch.ms[label])];
  console.log(`| ${label} | ${shapes} | ${s.toFixed(2)} | ${p.toFixed(2)} | ${(p / s).toFixed(1)}× | ${t.toFixed(1)} | ${(t / p).toFixed(1)}× |`);
}
const allFlop = CASES.reduce((sum, testCase) => sum + flops(testCase), 0);
console.log(
  `| all of the above | ${(allFlop / 1e9).toFixed(2)} GFLOP | ${gflops(allFlop, totals.stock).toFixed(2)} (${totals.stock.toFixed(0)} ms) | ` +
    `${gflops(allFlop, totals.project).toFixed(2)} (${totals.project.toFixed(0)} ms) | ${(totals.stock / totals.project).toFixed(1)}× | ` +
    `${gflops(allFlop, totals.torch).toFixed(1)} (${totals.torch.toFixed(0)} ms) | ${(totals.project / totals.torch).toFixed(1)}× |`,
);
