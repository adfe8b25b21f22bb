// Random tiny BERT teachers for configs/ci-tiny.yaml (the same as packages/cli/test/run-e2e.test.ts builds): hidden 16,
// 1 layer, 2 heads, with the real tokenizers of ../shared/data (KcELECTRA for Korean, bert-base-uncased for English),
// saved as HF folders. They are untrained: the point is a pipeline that runs end to end in about a minute.
// Run from the repository root after `npm run build` (takes seconds):
//   node tools/make-tiny-teachers.mjs [--out runs/ci-tiny-teachers] [--shared ../shared/data]
//   npm run koenbert -- run --config configs/ci-tiny.yaml
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BertModel } from '@koenbert/bert';
import { initBackend } from '@koenbert/tensor-utils';

const { values: flags } = parseArgs({
  options: {
    out: { type: 'string', default: 'runs/ci-tiny-teachers' },
    shared: { type: 'string', default: '../shared/data' },
  },
});
const TOKENIZERS = { ko: 'tokenizers/kcelectra-base', en: 'tokenizers/bert-base-uncased' };

await initBackend({ backend: 'wasm' });
for (const [lang, tokenizer] of Object.entries(TOKENIZERS)) {
  const source = path.join(flags.shared, tokenizer);
  if (!existsSync(path.join(source, 'vocab.txt'))) {
    process.stderr.write(`make-tiny-teachers: ${source}/vocab.txt not found (pass --shared <folder holding tokenizers/>)\n`);
    process.exit(1);
  }
  const dir = path.join(flags.out, lang);
  const vocabSize = (await fs.readFile(path.join(source, 'vocab.txt'), 'utf8')).split('\n').filter((line) => line !== '').length;
  const config = { vocab_size: vocabSize, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 64, type_vocab_size: 2, initializer_range: 0.2 };
  const model = BertModel.create({ config, task: 'masked-lm', seed: lang === 'ko' ? 1 : 2 });
  await fs.mkdir(dir, { recursive: true });
  await model.savePretrained(dir);
  model.dispose();
  for (const file of await fs.readdir(source)) await fs.copyFile(path.join(source, file), path.join(dir, file));
  process.stdout.write(`${dir}\n`);
}
