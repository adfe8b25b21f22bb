// Usage example of @koenbert/eval-klue-glue (shown in its README): fine-tune a small BERT on GLUE SST-2 and
// KLUE YNAT (cv mode), then merge the result files into the markdown/HTML report.
// Rerun from the repository root:
//   NX_DAEMON=false npx nx run @koenbert/eval-klue-glue:build && node tools/examples/eval-klue-glue-usage.mjs
// The model is a tiny random BERT (hidden 64, 2 layers) with the bert-base-uncased / KcELECTRA vocabularies,
// made here with BertModel.create; any BERT folder or Hub id works the same way.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BertModel } from '@koenbert/bert';
import { initBackend } from '@koenbert/tensor-utils';
import { evaluateIter, loadTokenizer, mergeResults, writeReport } from '@koenbert/eval-klue-glue';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = path.resolve(repoRoot, '../shared/data');
const work = mkdtempSync(path.join(os.tmpdir(), 'koenbert-eval-example-'));
await initBackend({ backend: 'wasm' });

async function tinyBert(name, tokenizerDir, files) {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const file of files) copyFileSync(path.join(tokenizerDir, file), path.join(dir, file));
  const { tokenizer } = await loadTokenizer({ dir, maxLength: 512 });
  const config = {
    vocab_size: tokenizer.getVocabSize(true), hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 128,
    hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 512, type_vocab_size: 2,
    initializer_range: 0.02, layer_norm_eps: 1e-12, pad_token_id: 0, model_type: 'bert',
  };
  const model = BertModel.create({ config, task: 'base', seed: 0 });
  await model.savePretrained(dir);
  model.dispose();
  return dir;
}

const english = await tinyBert('tiny-en', path.join(data, 'tokenizers/bert-base-uncased'), ['tokenizer.json']);
const korean = await tinyBert('tiny-ko', path.join(data, 'tokenizers/kcelectra-base'), ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']);
const outputDir = path.join(work, 'results');
const common = { modelName: 'tiny-random', dataDir: data, limit: 400, batchSize: 16, lr: 3e-3, seeds: 2, outputDir };
const files = [];
for (const config of [
  { ...common, model: english, task: 'glue-sst2', epochs: 4, maxLength: 48 },
  { ...common, model: korean, task: 'klue-ynat', cv: 2, epochs: 5, maxLength: 32, lr: 5e-3 },
]) {
  for await (const event of evaluateIter(config)) {
    if (event.type === 'data') console.log(`${event.task}: ${event.mode}, ${event.trainExamples} train (+ ${event.validationExamples} to choose the epoch) / ${event.evalExamples} eval examples, seeds ${event.seeds.join(', ')}, tokenizer from ${event.tokenizer}`);
    if (event.type === 'epoch') {
      const where = event.fold === undefined ? `seed ${event.seed}` : `seed ${event.seed} fold ${event.fold + 1}/${event.folds}`;
      const validation = Object.entries(event.validation ?? {}).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
      console.log(`  ${where} epoch ${event.epoch}: train loss ${event.trainLoss.toFixed(4)}, validation ${validation}${event.isBest ? ' (best so far)' : ''}`);
    }
    if (event.type === 'result') {
      const r = event.result;
      console.log(`  → ${r.primaryMetric} ${r.metrics[r.primaryMetric].mean.toFixed(4)} ± ${r.metrics[r.primaryMetric].std.toFixed(4)} (majority class: ${r.majorityBaseline[r.primaryMetric].toFixed(4)}), ${r.seconds.toFixed(0)} s → ${path.relative(work, event.file)}, ${path.relative(work, event.predictionsFile)}`);
      files.push(event.file);
    }
  }
}
const report = await writeReport({ merged: await mergeResults(files), outputDir: path.join(work, 'report') });
const markdown = readFileSync(report.markdown, 'utf8');
console.log(`\n${path.relative(work, report.markdown)} (and report.html with ${report.curves.length} inline loss curves):\n`);
console.log(markdown.split('\n').slice(0, 9).join('\n'));
