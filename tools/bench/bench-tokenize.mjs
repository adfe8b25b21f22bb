#!/usr/bin/env node
// Batch encoding speed of @koenbert/tokenizer-merge: Hugging Face `tokenizers` (Rust, napi) vs the
// package's pure-TypeScript encoder, measured in the same run on the same real lines (ids compared too).
//
//   npx nx run-many -t build -p tensor-utils tokenizer-merge   # the tools import the built packages
//   node tools/bench/bench-tokenize.mjs [--lines 12000] [--json out.json]
//
// Needs ../shared/data (real tokenizers and text). Versions: tokenizers 0.23.2, Node 20.
// The machine is shared and noisy (±20 %): compare the ratios, not absolute numbers, across runs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { buildMergeMap, loadWordPieceTokenizer, mergedTokenizerSpec, readTextSource, WordPieceTokenizer } from '@koenbert/tokenizer-merge';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const totalLines = Number(option('lines', '12000'));
const jsonOut = option('json', null);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = path.resolve(root, '../shared/data');

const koreanSources = ['text/ko/klue-ner-train-sentences.tsv#1', 'text/ko/kocohub-unlabeled-comments-5.txt', 'text/ko/3i4k-utterances.txt#1'];
const englishSources = ['text/en/wikitext-2-valid.txt', 'glue/sst2/train.tsv#sentence', 'text/en/tinyshakespeare.txt'];

async function read(sources, count) {
  const per = Math.ceil(count / sources.length);
  const samples = await Promise.all(sources.map((source) => readTextSource({ source: path.join(data, source), maxLines: per })));
  return samples.flatMap((sample) => sample.lines);
}

function best(runs, fn) {
  let fastest = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = fn();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return { ms: fastest, result };
}

async function bestAsync(runs, fn) {
  let fastest = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = await fn();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return { ms: fastest, result };
}

const loadBefore = os.loadavg();
const korean = await loadWordPieceTokenizer(path.join(data, 'tokenizers/kcelectra-base'));
const english = await loadWordPieceTokenizer(path.join(data, 'tokenizers/bert-base-uncased'));
const { vocab } = buildMergeMap({ korean: korean.spec, english: english.spec });
const merged = new WordPieceTokenizer({ spec: mergedTokenizerSpec({ korean: korean.spec, vocab }) });
const lines = [...(await read(koreanSources, totalLines / 2)), ...(await read(englishSources, totalLines / 2))];

const rows = [];
for (const [name, tokenizer] of [['korean', korean], ['english', english], ['merged', merged]]) {
  await tokenizer.encodeBatch(lines.slice(0, 500)); // load the Rust tokenizer, warm up
  tokenizer.encode(lines[0]);
  // What a training loop reads (ids and type ids), and every field (tokens, offsets, word ids too).
  // Interleaved, best of 3 each, so a busy moment on a shared machine hits both engines alike.
  let modelInputs = { ms: Infinity };
  let allFields = { ms: Infinity };
  let ts = { ms: Infinity };
  for (let round = 0; round < 3; round++) {
    const a = await bestAsync(1, async () => (await tokenizer.encodeBatch(lines)).map((e) => [e.ids, e.typeIds]));
    const b = await bestAsync(1, async () => (await tokenizer.encodeBatch(lines)).map((e) => ({ ...e })));
    const c = best(1, () => lines.map((line) => tokenizer.encode(line)));
    if (a.ms < modelInputs.ms) modelInputs = a;
    if (b.ms < allFields.ms) allFields = b;
    if (c.ms < ts.ms) ts = c;
  }
  const same = ts.result.filter((encoding, i) => JSON.stringify(encoding) === JSON.stringify(allFields.result[i])).length;
  rows.push({
    tokenizer: name,
    lines: lines.length,
    rustModelInputsLinesPerSecond: Math.round(lines.length / (modelInputs.ms / 1000)),
    rustAllFieldsLinesPerSecond: Math.round(lines.length / (allFields.ms / 1000)),
    typescriptLinesPerSecond: Math.round(lines.length / (ts.ms / 1000)),
    speedupModelInputs: Number((ts.ms / modelInputs.ms).toFixed(2)),
    speedupAllFields: Number((ts.ms / allFields.ms).toFixed(2)),
    identicalEncodings: same,
  });
}

console.log(`load average at start / end: ${loadBefore.map((x) => x.toFixed(2)).join(' ')} / ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
console.log(`batch encoding, ${lines.length} real lines (half Korean, half English), best of 3, lines/s (× = speed over pure TypeScript):`);
console.log('tokenizer   encodeBatch, ids+typeIds read   encodeBatch, all fields read   encode (pure TypeScript)   identical encodings');
for (const row of rows) {
  console.log(
    `${row.tokenizer.padEnd(10)}  ${String(row.rustModelInputsLinesPerSecond).padStart(14)} (${row.speedupModelInputs.toFixed(2)}×)  ${String(row.rustAllFieldsLinesPerSecond).padStart(21)} (${row.speedupAllFields.toFixed(2)}×)  ${String(row.typescriptLinesPerSecond).padStart(24)}   ${row.identicalEncodings}/${row.lines}`,
  );
}
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ tool: 'bench-tokenize', node: process.version, loadAverage: [loadBefore, os.loadavg()], rows }, null, 2)}\n`);
