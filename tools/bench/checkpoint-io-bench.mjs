// Checkpoint I/O speed and memory of @koenbert/tensor-utils on a MiniLM-sized state dict (~91 MB),
// next to torch.load of the same file in the same run. Numbers in packages/tensor-utils/README.md.
// Rerun from the repository root: npx nx run @koenbert/tensor-utils:build && node tools/bench/checkpoint-io-bench.mjs
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, readSafetensorsHeader, readTorchStateDict, writeSafetensors } from '@koenbert/tensor-utils';

const here = path.dirname(fileURLToPath(import.meta.url));
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-io-bench-'));
const bin = path.join(work, 'pytorch_model.bin');
const st = path.join(work, 'model.safetensors');
const python = JSON.parse(execFileSync('/usr/bin/python3', [path.join(here, 'make_torch_checkpoint.py'), bin], { encoding: 'utf8' }));
const megabytes = (await fs.stat(bin)).size / 2 ** 20;

async function best(run, times = 3) {
  let fastest = Infinity;
  let result;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    result = await run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return { ms: fastest, result };
}
const row = (what, ms) => console.log(`| ${what} | ${ms.toFixed(1)} | ${(megabytes / (ms / 1000)).toFixed(0)} |`);

const rssBefore = process.memoryUsage().rss;
await readTorchStateDict(bin); // the first read alone, for the peak memory
const peakAfterRead = process.resourceUsage().maxRSS * 1024;
const torchRead = await best(() => readTorchStateDict(bin));
const write = await best(() => writeSafetensors(st, torchRead.result));
const stRead = await best(() => readSafetensors(st));
const header = await best(() => readSafetensorsHeader(st), 5);

console.log(`state dict: ${python.tensors} tensors, ${python.params} float32 parameters, ${megabytes.toFixed(1)} MiB; Node ${process.version}, torch ${python.torch}`);
console.log('| operation | best of 3, ms | MiB/s |');
console.log('|---|---|---|');
row('torch.load (Python, same file)', python.torchLoadMs);
row('readTorchStateDict (pytorch_model.bin)', torchRead.ms);
row('writeSafetensors (atomic, fsync)', write.ms);
row('readSafetensors', stRead.ms);
console.log(`| readSafetensorsHeader | ${header.ms.toFixed(2)} | — |`);
console.log(`peak RSS of one readTorchStateDict: ${((peakAfterRead - rssBefore) / 2 ** 20).toFixed(0)} MiB above the ${(rssBefore / 2 ** 20).toFixed(0)} MiB baseline (file ${megabytes.toFixed(0)} MiB)`);
await fs.rm(work, { recursive: true });
