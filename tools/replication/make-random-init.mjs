// The random-init control: the students' architecture and merged vocabulary, weights drawn fresh (never pretrained).
//   node tools/replication/make-random-init.mjs <merged tokenizer folder> <output folder> [seed]
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BertModel } from '@koenbert/bert';
import { initBackend } from '@koenbert/tensor-utils';
import { TEACHER_ARCH } from './protocol.mjs';

const [from, to, seedText = '0'] = process.argv.slice(2);
if (!from || !to) {
  process.stderr.write('usage: make-random-init.mjs <merged tokenizer folder> <output folder> [seed]\n');
  process.exit(2);
}
const vocabFile = path.join(from, 'vocab.txt');
if (!existsSync(vocabFile)) {
  process.stderr.write(`make-random-init: ${vocabFile}: file not found (run merge-vocab first)\n`);
  process.exit(1);
}
const vocabSize = readFileSync(vocabFile, 'utf8').split('\n').filter((line) => line.length > 0).length;
await initBackend({ backend: 'wasm' });
// the sizes of the teachers (and so of the students); every other field takes transformers' BertConfig default
const config = {
  vocab_size: vocabSize,
  hidden_size: TEACHER_ARCH.hidden,
  num_hidden_layers: TEACHER_ARCH.layers,
  num_attention_heads: TEACHER_ARCH.heads,
  intermediate_size: TEACHER_ARCH.intermediate,
  model_type: 'bert',
};
const temp = `${to}.tmp-${process.pid}`;
rmSync(temp, { recursive: true, force: true });
mkdirSync(temp, { recursive: true });
const model = BertModel.create({ config, task: 'masked-lm', seed: Number(seedText) });
await model.savePretrained(temp);
model.dispose();
// every tokenizer file of the merged folder (tokenizer.json, per-language files, vocab, merge map)
for (const file of readdirSync(from)) {
  if (/^(tokenizer.*\.json|vocab\.txt|special_tokens_map\.json|merge-map\.json)$/.test(file)) copyFileSync(path.join(from, file), path.join(temp, file));
}
if (existsSync(to)) rmSync(to, { recursive: true, force: true });
renameSync(temp, to);
process.stdout.write(`random-init → ${to} (seed ${seedText}, vocab ${vocabSize}, hidden ${config.hidden_size}, ${config.num_hidden_layers} layers)\n`);
