// Usage example of @koenbert/bert (shown in its README): load a real HF checkpoint, run the forward pass,
// switch heads, resize the vocabulary, save in transformers' layout.
// Rerun from the repository root: npx nx run @koenbert/bert:build && node tools/examples/bert-usage.mjs
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { BertModel } from '@koenbert/bert';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const modelDir = path.resolve(repoRoot, '../shared/data/models/tiny-random-bert');
const out = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-bert-example-'));
await initBackend({ backend: 'wasm' });

const model = await BertModel.fromPretrained(modelDir, { task: 'sequence-classification' }); // or a Hub id
const inputIds = tf.tensor2d([[2, 762, 521, 294, 3], [2, 890, 407, 3, 0]], [2, 5], 'int32');
const attentionMask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]], [2, 5], 'int32');
const result = model.forward({ inputIds, attentionMask, outputHiddenStates: true, outputQkvLayers: [4] });
console.log(`lastHiddenState [${result.lastHiddenState.shape}], pooledOutput [${result.pooledOutput.shape}], ${result.hiddenStates.length} hidden states`);
console.log(`qkv of layer ${result.qkv[0].layer}: query [${result.qkv[0].query.shape}]`);
console.log(`logits [${result.logits.shape}]: ${Array.from(result.logits.dataSync(), (v) => v.toFixed(5)).join(', ')}`);
tf.dispose(result);

const mlm = await BertModel.fromPretrained(modelDir, { task: 'masked-lm', seed: 1 });
console.log(`masked-lm: initialised ${mlm.loadReport.missing.length} head weights (${mlm.loadReport.missing[0]}, …), ignored ${mlm.loadReport.unexpected.join(', ')}`);
mlm.resizeTokenEmbeddings(1200); // new rows ~ normal(0, initializer_range); pass a Float32Array to choose them
console.log(`resized: word embeddings [${mlm.params.get('bert.embeddings.word_embeddings.weight').shape}], cls.predictions.bias [${mlm.params.get('cls.predictions.bias').shape}]`);
await mlm.savePretrained(out);
const config = JSON.parse(await fs.readFile(path.join(out, 'config.json'), 'utf8'));
console.log(`saved ${(await fs.readdir(out)).sort().join(' + ')}: architectures ${JSON.stringify(config.architectures)}, vocab_size ${config.vocab_size}`);

tf.dispose([inputIds, attentionMask]);
model.dispose();
mlm.dispose();
await fs.rm(out, { recursive: true });
