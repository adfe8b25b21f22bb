// Usage example of @koenbert/embed-init (its README shows the output). Builds the real merged vocab
// (kcelectra-base + bert-base-uncased from ../shared/data) with @koenbert/tokenizer-merge and two small
// random-weight models of matching vocab sizes, Korean hidden 64, English hidden 96. No pretrained BERT is
// reachable here, so a map is planted: the Korean rows of shared tokens are A·(English row) + b + noise.
// A real pair of models has no exact map; expect much lower scores there.
// Rerun from the repository root: npx nx run @koenbert/embed-init:build && node tools/examples/embed-init-example.mjs
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel } from '@koenbert/bert';
import { initBackend, SeededRng } from '@koenbert/tensor-utils';
import { mergeVocabs, readMergeMap } from '@koenbert/tokenizer-merge';
import { formatInitEmbeddingsReport, initEmbeddingsIter } from '@koenbert/embed-init';

const shared = path.resolve(import.meta.dirname, '../..', '../shared/data/tokenizers');
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'embed-init-example-'));
await initBackend({ backend: 'wasm' });

// --- inputs: a merged tokenizer folder and two models -------------------------------------------------------
const merged = path.join(work, 'merged');
await mergeVocabs({ korean: path.join(shared, 'kcelectra-base'), english: path.join(shared, 'bert-base-uncased'), output: merged, verifyRoundTrip: false });
const map = await readMergeMap(merged);
const rng = new SeededRng(7);
const [KO, EN] = [64, 96];
const english = Float32Array.from({ length: map.englishVocabSize * EN }, () => rng.normal());
const a = Float32Array.from({ length: EN * KO }, () => rng.normal() / Math.sqrt(EN));
const korean = Float32Array.from({ length: map.koreanVocabSize * KO }, () => rng.normal());
for (const { koreanId, englishId } of map.entries) {
  if (koreanId === null || englishId === null || koreanId < 5) continue;
  for (let j = 0; j < KO; j++) {
    let sum = 0.5;
    for (let k = 0; k < EN; k++) sum += english[englishId * EN + k] * a[k * KO + j];
    korean[koreanId * KO + j] = sum + 0.8 * rng.normal();
  }
}
async function writeModel(dir, vocab, hidden, embeddings) {
  const config = { vocab_size: vocab, hidden_size: hidden, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 4 * hidden };
  const model = BertModel.create({ config, task: 'masked-lm', seed: 1 });
  model.params.get('bert.embeddings.word_embeddings.weight').assign(tf.tensor2d(embeddings, [vocab, hidden]));
  await model.savePretrained(dir);
  model.dispose();
}
await writeModel(path.join(work, 'korean'), map.koreanVocabSize, KO, korean);
await writeModel(path.join(work, 'english'), map.englishVocabSize, EN, english);

// --- the stage ------------------------------------------------------------------------------------------------
const config = {
  korean: path.join(work, 'korean'),
  english: path.join(work, 'english'),
  tokenizer: merged,
  output: path.join(work, 'ko-en-bert'),
  compare: ['ridge', 'lstsq', 'procrustes', 'mlp', 'mean', 'subword-mean'],
};
const iterator = initEmbeddingsIter(config);
let report;
for (;;) {
  const next = await iterator.next();
  if (next.done) {
    report = next.value;
    break;
  }
  if (next.value.type === 'method-scored') console.log(`scored ${next.value.score.method}`);
}
console.log();
console.log(formatInitEmbeddingsReport(report));
console.log();
console.log('written:', (await fs.readdir(config.output)).join(' '));
await fs.rm(work, { recursive: true, force: true });
