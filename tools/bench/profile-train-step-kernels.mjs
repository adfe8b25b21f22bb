// Where the time of one small-BERT training step goes on wasm, kernel by kernel (tf.profile): the same model and step
// as tools/bench/bench-train-step.mjs (vocab 8000, hidden 256, 4 layers, 4 heads, FFN 1024, seq 128, batch 8, MLM +
// AdamW + clipping). Used to decide which kernels are worth a project implementation (packages/tensor-utils/README.md).
// Rerun from the repository root:
//   npx nx run-many -t build -p @koenbert/tensor-utils @koenbert/bert && node tools/bench/profile-train-step-kernels.mjs [--top 15]
import os from 'node:os';
import { initBackend } from '@koenbert/tensor-utils';
import { createSmallBertMlmStep, profileStep } from './small-bert-mlm-step.mjs';

const topFlag = process.argv.indexOf('--top');
const TOP = topFlag > 0 ? Number(process.argv[topFlag + 1]) : 15;

const choice = await initBackend({ backend: 'wasm' });
const { step, dispose } = createSmallBertMlmStep();

step(0); // warm-up
step(1);
const { byName, totalMs, matMulMs, matMulFlops, wallMs, calls } = await profileStep(step, 2);
const rows = [...byName];
console.log(`# profile-train-step-kernels: ${os.cpus()[0].model}, ${os.cpus().length} vCPU, load ${os.loadavg()[0].toFixed(1)}; backend ${choice.name} (${choice.reason})`);
console.log(`# one profiled step: ${wallMs.toFixed(0)} ms wall, ${totalMs.toFixed(0)} ms in ${calls} kernel calls`);
console.log(`# BatchMatMul: ${(matMulFlops / 1e9).toFixed(1)} GFLOP at ${(matMulFlops / 1e6 / matMulMs).toFixed(1)} GFLOP/s`);
console.log('');
console.log('| kernel | ms | share | calls |');
console.log('|---|---|---|---|');
for (const [name, entry] of rows.slice(0, TOP)) {
  console.log(`| ${name} | ${entry.ms.toFixed(0)} | ${((100 * entry.ms) / totalMs).toFixed(1)} % | ${entry.calls} |`);
}
const rest = rows.slice(TOP).reduce((sum, [, entry]) => sum + entry.ms, 0);
console.log(`| ${rows.length - TOP} others | ${rest.toFixed(0)} | ${((100 * rest) / totalMs).toFixed(1)} % | |`);
dispose();
