// Usage example of @koenbert/distill (shown in its README): tiny random BERT teachers (H 64, L 2) with the real
// bert-base-uncased and KcELECTRA tokenizers from ../shared/data, a merged-vocab student, 40 steps on real English and
// Korean text, stopped by an AbortController at step 20 and resumed — the events a CLI would draw.
// Rerun from the repository root:
//   npx esbuild tools/examples/distill-tiny.mjs --bundle --platform=node --format=esm --tsconfig=tsconfig.base.json \
//     --packages=external --outfile=tools/examples/tmp/distill-tiny.mjs && node tools/examples/tmp/distill-tiny.mjs
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BertModel } from '@koenbert/bert';
import { distillIter, resolveDistillConfig } from '@koenbert/distill';
import { initBackend } from '@koenbert/tensor-utils';
import { mergeVocabsIter } from '@koenbert/tokenizer-merge';

const shared = path.resolve(process.cwd(), '../shared/data');
if (!existsSync(path.join(shared, 'tokenizers', 'kcelectra-base'))) {
  console.log(`skipped: ${shared} is absent`);
  process.exit(0);
}
await initBackend({ backend: 'wasm' });
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-distill-example-'));
const tokenizers = { en: path.join(shared, 'tokenizers', 'bert-base-uncased'), ko: path.join(shared, 'tokenizers', 'kcelectra-base') };

// 1. the merged tokenizer (what `koenbert merge-vocab` writes) and tiny models in HF folders
const merged = path.join(work, 'merged');
for await (const event of mergeVocabsIter({ korean: tokenizers.ko, english: tokenizers.en, output: merged })) void event;
const { englishVocabSize, koreanVocabSize, mergedVocabSize } = JSON.parse(await fs.readFile(path.join(merged, 'merge-map.json'), 'utf8'));
const tiny = { hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, max_position_embeddings: 128 };
async function save(dir, vocab, seed, initializerRange, tokenizerDir) {
  const model = BertModel.create({ config: { ...tiny, vocab_size: vocab, initializer_range: initializerRange }, task: 'masked-lm', seed });
  await fs.mkdir(dir, { recursive: true });
  await model.savePretrained(dir);
  model.dispose();
  for (const file of await fs.readdir(tokenizerDir)) if (file !== 'config.json') await fs.copyFile(path.join(tokenizerDir, file), path.join(dir, file));
}
await save(path.join(work, 'teacher-en'), englishVocabSize, 1, 0.2, tokenizers.en);
await save(path.join(work, 'teacher-ko'), koreanVocabSize, 2, 0.2, tokenizers.ko);
await save(path.join(work, 'student'), mergedVocabSize, 3, 0.02, merged);

// 2. the config, as the CLI builds it from flags (dotted keys) on top of a preset
const config = await resolveDistillConfig({
  overrides: {
    student: path.join(work, 'student'),
    output: path.join(work, 'run'),
    'teachers.en.model': path.join(work, 'teacher-en'),
    'teachers.ko.model': path.join(work, 'teacher-ko'),
    'data.en': [path.join(shared, 'text', 'en', 'wikitext-2-valid.txt')],
    'data.ko': [`${path.join(shared, 'text', 'ko', 'klue-ner-train-sentences.tsv')}#1`],
    'data.maxLength': 64,
    'loss.relationHeads': 16,
    'optim.lr': 5e-3,
    'optim.batchSize': 8,
    'checkpoint.every': 10,
    steps: 40,
  },
});

// 3. run, stop at step 20, resume
function show(event) {
  if (event.type === 'start') console.log(`start at step ${event.startStep}/${event.totalSteps}: languages ${event.languages.join('+')}, teacher layers ${JSON.stringify(event.teacherLayers)}, student layer ${event.studentLayer}, ${event.studentParams} student parameters`);
  if (event.type === 'step' && event.step % 5 === 0) {
    const r = event.perRelation;
    console.log(`step ${String(event.step).padStart(2)} ${event.lang}  loss ${event.loss.toFixed(4)} (QQ ${r.qq.toFixed(3)} KK ${r.kk.toFixed(3)} VV ${r.vv.toFixed(3)})  lr ${event.lr.toExponential(2)}  ${event.tokens} tokens`);
  }
  if (event.type === 'checkpoint') console.log(`checkpoint ${path.relative(work, event.dir)} (${event.reason})`);
  if (event.type === 'stopped') console.log(`stopped at step ${event.step} (${event.reason})`);
  if (event.type === 'done') console.log(`done: ${path.relative(work, event.output)}/ has ${event.files.sort().join(', ')}`);
}
const controller = new AbortController();
for await (const event of distillIter(config, { signal: controller.signal })) {
  show(event);
  if (event.type === 'step' && event.step === 20) controller.abort();
}
for await (const event of distillIter({ ...config, resume: true })) show(event);
await fs.rm(work, { recursive: true, force: true });
