// Usage example of @koenbert/tensor-utils checkpoint I/O and Hub access (shown in its README).
// Rerun from the repository root: npx nx run @koenbert/tensor-utils:build && node tools/examples/tensor-utils-checkpoints.mjs
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  readTorchStateDict,
  readSafetensors,
  readSafetensorsHeader,
  resolveModelDir,
  toFloat32,
  writeSafetensors,
} from '@koenbert/tensor-utils';
import { startLocalHubServer } from '@koenbert/tensor-utils/testing';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modelDir = path.resolve(repoRoot, '../shared/data/models/tiny-random-bert');
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-example-'));

// 1. a PyTorch pytorch_model.bin, read without Python
const state = await readTorchStateDict(path.join(modelDir, 'pytorch_model.bin'));
const embeddings = state.get('bert.embeddings.word_embeddings.weight');
console.log(`pytorch_model.bin: ${state.size} tensors; word embeddings ${embeddings.dtype} [${embeddings.shape}]`);
console.log(`  row 5 starts: ${Array.from(toFloat32(embeddings).subarray(5 * 32, 5 * 32 + 3), (v) => v.toFixed(6)).join(', ')}`);

// 2. the same tensors as model.safetensors (atomic write), then the header alone and a round trip
const file = path.join(work, 'model.safetensors');
await writeSafetensors(file, state, { format: 'pt' });
const header = await readSafetensorsHeader(file);
console.log(`model.safetensors: ${(await fs.stat(file)).size} bytes, data starts at byte ${header.dataStart}, metadata ${JSON.stringify(header.metadata)}`);
const back = await readSafetensors(file);
const bytes = (r) => Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
const same = [...state].every(([name, r]) => bytes(r).equals(bytes(back.tensors.get(name))));
console.log(`  round trip bit-exact: ${same}`);

// 3. Hub access, here against the local test server (hubUrl) and a throw-away cache
const repoFiles = Object.fromEntries(
  await Promise.all(['config.json', 'vocab.txt', 'pytorch_model.bin'].map(async (f) => [f, await fs.readFile(path.join(modelDir, f))])),
);
const hub = await startLocalHubServer({ repos: { 'koenbert/tiny-random-bert': repoFiles } });
console.debug = () => undefined; // @huggingface/hub logs each download at debug level
const options = { files: ['config.json', 'vocab.txt'], optionalFiles: ['model.safetensors', 'pytorch_model.bin'], hubUrl: hub.url, cacheDir: path.join(work, 'hub') };
const dir = await resolveModelDir({ repoOrPath: 'koenbert/tiny-random-bert', ...options });
console.log(`resolveModelDir: ${path.relative(work, dir)}`);
console.log(`  files: ${(await fs.readdir(dir)).sort().join(', ')}; requests: ${hub.requests.length}`);
const before = hub.requests.length;
await resolveModelDir({ repoOrPath: 'koenbert/tiny-random-bert', ...options, offline: true });
console.log(`  again, offline: ${hub.requests.length - before} requests`);
await resolveModelDir({ repoOrPath: 'koenbert/tiny-random-bert', ...options, files: ['tokenizer.json'] }).catch((e) => console.log(`  ${e.name}: ${e.message}`));
await hub.close();
await fs.rm(work, { recursive: true });
