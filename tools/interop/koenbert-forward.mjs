// koenbert's side of the transformers interop check: tokenizes the probe texts with koenbert's tokenizers and runs
// @koenbert/bert's forward pass on a saved folder. Writes <out>/koenbert.json (ids, shapes) and raw little-endian
// float32 files that tools/interop/compare_transformers.py reads with numpy.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BertModel } from '@koenbert/bert';
import * as tokenizerMerge from '@koenbert/tokenizer-merge';

const { encodeAligned, loadWordPieceTokenizer, readMergeMap } = tokenizerMerge;
/** Per-language tokenizer files of a merged folder (newer tokenizer-merge builds export the names). */
const LANGUAGE_TOKENIZER_FILES = tokenizerMerge.LANGUAGE_TOKENIZER_FILES ?? { ko: 'tokenizer-ko.json', en: 'tokenizer-en.json' };

/** Model outputs larger than this many floats are compared at a sample of positions (MLM logits). */
const MLM_LOGIT_POSITIONS = 12;

async function writeFloats(file, tensor) {
  const data = await tensor.data();
  await fs.writeFile(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return [...tensor.shape];
}

function padBatch(encodings, padId) {
  const width = Math.max(...encodings.map((encoding) => encoding.ids.length));
  const ids = [];
  const mask = [];
  const types = [];
  for (const encoding of encodings) {
    const pad = width - encoding.ids.length;
    ids.push([...encoding.ids, ...new Array(pad).fill(padId)]);
    mask.push([...encoding.ids.map(() => 1), ...new Array(pad).fill(0)]);
    types.push([...encoding.typeIds, ...new Array(pad).fill(0)]);
  }
  return { ids, mask, types, width };
}

/**
 * Token ids of every probe input with koenbert's tokenizers: the TypeScript encoder and HF tokenizers (Rust, through
 * koenbert's WordPieceTokenizer) for the folder's tokenizer, and, where the folder has per-language tokenizer files
 * and the teachers are known, encodeAligned's merged ids for tokenizer-ko.json / tokenizer-en.json.
 */
async function tokenize({ dir, inputs, maxLength, teachers }) {
  const tokenizer = await loadWordPieceTokenizer(dir);
  const typescript = inputs.map((input) => tokenizer.encode(input.text, input.pair, { maxLength }));
  // encodeBatch takes either single texts or pairs: one call each, then back in input order
  const singles = inputs.filter((input) => input.pair === undefined);
  const pairs = inputs.filter((input) => input.pair !== undefined);
  const single = await tokenizer.encodeBatch(singles.map((input) => input.text), { maxLength });
  const paired = pairs.length ? await tokenizer.encodeBatch(pairs.map((input) => [input.text, input.pair]), { maxLength }) : [];
  const rust = inputs.map((input) => (input.pair === undefined ? single[singles.indexOf(input)] : paired[pairs.indexOf(input)]));
  const result = {
    padId: tokenizer.padId ?? 0,
    maskId: tokenizer.maskId,
    encodings: typescript.map((encoding) => ({ ids: encoding.ids, typeIds: encoding.typeIds })),
    rustIds: rust.map((encoding) => encoding.ids),
    languageFiles: {},
  };
  const mergeMapFile = path.join(dir, 'merge-map.json');
  for (const [lang, file] of Object.entries(LANGUAGE_TOKENIZER_FILES)) {
    const present = await fs.stat(path.join(dir, file)).then(() => true, () => false);
    if (!present) continue;
    if (!teachers?.[lang]) {
      result.languageFiles[file] = { skipped: 'teacher tokenizer not known to this check' };
      continue;
    }
    const merged = await readMergeMap(mergeMapFile);
    const teacher = await loadWordPieceTokenizer(teachers[lang]);
    const ids = inputs.map((input) => encodeAligned({ text: input.text, pair: input.pair, lang, merged, teacher, maxLength }).studentIds);
    result.languageFiles[file] = { lang, ids };
  }
  return result;
}

/** Runs one folder: tokenization, then the forward pass for the folder's task on koenbert's own ids. */
export async function koenbertForward({ dir, task, numLabels, inputs, maxLength, outDir, teachers }) {
  await fs.mkdir(outDir, { recursive: true });
  const tokens = await tokenize({ dir, inputs, maxLength, teachers });
  if (!task) {
    const summary = { dir, task: null, maxLength, inputs, ...tokens, outputs: {} };
    await fs.writeFile(path.join(outDir, 'koenbert.json'), JSON.stringify(summary));
    return summary;
  }
  const model = await BertModel.fromPretrained(dir, { task, numLabels });
  const batch = padBatch(tokens.encodings, tokens.padId);
  const inputIds = tf.tensor2d(batch.ids, undefined, 'int32');
  const attentionMask = tf.tensor2d(batch.mask, undefined, 'int32');
  const tokenTypeIds = tf.tensor2d(batch.types, undefined, 'int32');
  const positions = [];
  if (task === 'masked-lm') {
    // every row, a few columns each, inside the unpadded part
    for (let row = 0; positions.length < MLM_LOGIT_POSITIONS && row < batch.ids.length; row++) {
      const length = tokens.encodings[row].ids.length;
      for (const column of [0, Math.floor(length / 2), length - 2]) if (column >= 0 && positions.length < MLM_LOGIT_POSITIONS) positions.push(row * batch.width + column);
    }
  }
  const logitPositions = positions.length > 0 ? tf.tensor1d(positions, 'int32') : undefined;
  const output = model.forward({ inputIds, attentionMask, tokenTypeIds, logitPositions });
  const outputs = { lastHiddenState: await writeFloats(path.join(outDir, 'last_hidden_state.f32'), output.lastHiddenState) };
  if (output.pooledOutput) outputs.pooledOutput = await writeFloats(path.join(outDir, 'pooled_output.f32'), output.pooledOutput);
  if (output.logits) outputs.logits = await writeFloats(path.join(outDir, 'logits.f32'), output.logits);
  tf.dispose([inputIds, attentionMask, tokenTypeIds, logitPositions, output.lastHiddenState, output.pooledOutput, output.logits]);
  const summary = {
    dir,
    task,
    numLabels: model.numLabels,
    maxLength,
    inputs,
    ...tokens,
    batch: { inputIds: batch.ids, attentionMask: batch.mask, tokenTypeIds: batch.types },
    logitPositions: positions,
    outputs,
    loadReport: model.loadReport ? { missing: model.loadReport.missing ?? [], unexpected: model.loadReport.unexpected ?? [] } : null,
  };
  model.dispose();
  await fs.writeFile(path.join(outDir, 'koenbert.json'), JSON.stringify(summary));
  return summary;
}
