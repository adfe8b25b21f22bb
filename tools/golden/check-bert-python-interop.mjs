// Saves tiny-random-bert with @koenbert/bert (all four task classes) and checks each folder in Python:
// tools/golden/make-bert-golden.py verify loads config.json + model.safetensors with its own parser, checks the
// tensor names against transformers' state dict for the class and runs its independent torch forward pass on the
// golden inputs. (transformers itself is not installed here, so this stands in for
// `BertForX.from_pretrained(dir)`; see packages/bert/README.md.)
// Rerun from the repository root:
//   npx nx run @koenbert/bert:build && node tools/golden/check-bert-python-interop.mjs
import { execFileSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { BertModel } from '@koenbert/bert';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tiny = path.resolve(root, '../shared/data/models/tiny-random-bert');
const golden = JSON.parse(readFileSync(path.join(root, 'packages/bert/test/fixtures/tiny-random-bert-golden.json'), 'utf8'));
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-interop-'));

await initBackend({ backend: 'wasm' });

function setHeads(model, prefix) {
  for (const [name, packed] of Object.entries(golden.heads)) {
    if (name.startsWith(prefix) && model.params.has(name)) model.params.get(name).assign(tf.tensor(packed.data, packed.shape));
  }
}

const base = await BertModel.fromPretrained(tiny, { task: 'base' });
await base.savePretrained(path.join(work, 'base'));
const seq = await BertModel.fromPretrained(tiny, { task: 'sequence-classification' });
await seq.savePretrained(path.join(work, 'sequence-classification'));
const mlm = await BertModel.fromPretrained(tiny, { task: 'masked-lm' });
setHeads(mlm, 'cls.');
await mlm.savePretrained(path.join(work, 'masked-lm'));
const tok = await BertModel.fromPretrained(path.join(work, 'base'), { task: 'token-classification', numLabels: 3 });
setHeads(tok, 'classifier.');
await tok.savePretrained(path.join(work, 'token-classification'));

let failed = false;
for (const task of ['base', 'sequence-classification', 'masked-lm', 'token-classification']) {
  console.log(`--- ${task}`);
  try {
    process.stdout.write(execFileSync('/usr/bin/python3', [path.join(root, 'tools/golden/make-bert-golden.py'), 'verify', path.join(work, task), task], { encoding: 'utf8' }));
  } catch (error) {
    failed = true;
    process.stdout.write(error.stdout ?? String(error));
  }
}
await fs.rm(work, { recursive: true });
process.exit(failed ? 1 : 0);
