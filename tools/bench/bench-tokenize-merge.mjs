#!/usr/bin/env node
// The numbers in packages/tokenizer-merge/README.md: merges the real Korean vocab (KcELECTRA, 50,135) with
// bert-base-uncased (30,522) and measures the invariants on every real Korean and English text source in
// ../shared/data (up to --per-source sentences each, spread evenly over the file).
//
//   npx nx run-many -t build -p tensor-utils tokenizer-merge   # the tools import the built packages
//   node tools/bench/bench-tokenize-merge.mjs [--per-source 20000] [--out DIR] [--json report.json] [--compare-rules]
//
// --compare-rules also measures the identity rates the merged vocab would get under other normalisation
// rules (the alternatives the README compares the chosen rule with).
//
// Versions: tokenizers 0.23.2, Node 20. The merged tokenizer is written to --out (default: a temp folder).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bertNormalizerSpec,
  buildMergeMap,
  formatMergeSummary,
  loadWordPieceTokenizer,
  measureInvariants,
  mergedTokenizerSpec,
  MERGED_NORMALIZER,
  mergeVocabs,
  readTextSource,
  WordPieceTokenizer,
} from '@koenbert/tokenizer-merge';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = path.resolve(root, '../shared/data');
const at = (...parts) => path.join(data, ...parts);

const koreanText = [
  at('text/ko/klue-ner-train-sentences.tsv#1'),
  at('text/ko/kocohub-unlabeled-comments-5.txt'),
  at('text/ko/3i4k-utterances.txt#1'),
  at('text/ko/parakqc-v1.txt#2'),
  at('text/ko/chatbot-data.csv#Q'),
  at('text/ko/chatbot-data.csv#A'),
  at('text/ko/kolaw-constitution.txt'),
  at('kor-nlu/korsts-dev.tsv#sentence1'),
  at('kor-nlu/xnli.dev.ko.tsv#sentence1'),
  at('text/parallel/korean-english-park.dev.ko'),
  at('text/parallel/jhe-koen-dev.ko'),
];
const englishText = [
  at('text/en/wikitext-2-valid.txt'),
  ...['1342', '2701', '1661', '1184', '84'].map((book) => at(`text/en/gutenberg/${book}.txt`)),
  at('text/en/tinyshakespeare.txt'),
  at('glue/sst2/dev.tsv#sentence'),
  at('glue/stsb/dev.tsv#sentence1'),
  at('glue/qnli/dev.tsv#question'),
  at('glue/qnli/dev.tsv#sentence'),
  at('text/parallel/korean-english-park.dev.en'),
  at('text/parallel/jhe-koen-dev.en'),
];

const output = option('out', null) ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'koenbert-merge-bench-')));
const report = await mergeVocabs({
  korean: at('tokenizers/kcelectra-base'),
  english: at('tokenizers/bert-base-uncased'),
  output: path.join(output, 'ko-en-tokenizer'),
  overwrite: true,
  koreanText,
  englishText,
  maxSentencesPerSource: Number(option('per-source', '20000')),
});

console.log(formatMergeSummary(report));
for (const invariants of [report.invariants.ko, report.invariants.en]) {
  console.log(`\nidentity rate by source (${invariants.language}):`);
  for (const source of invariants.sources) {
    console.log(`  ${(100 * source.identityRate).toFixed(2).padStart(6)} %  ${String(source.sentences).padStart(6)} sentences  ${path.relative(data, source.source)}`);
  }
  for (const failure of invariants.failures) {
    console.log(`\n${invariants.language} ${failure.category}: ${failure.sentences} sentences`);
    for (const word of failure.words.slice(0, 12)) console.log(`  ${word.word}: ${word.teacher.join(' ')} → ${word.merged.join(' ')} (${word.count}×)`);
    if (failure.words.length === 0) for (const example of failure.examples) console.log(`  ${example.teacher.join(' ')} → ${example.merged.join(' ')}   | ${example.text.slice(0, 80)}`);
  }
}
console.log(`\ntimings (ms): ${JSON.stringify(report.timings, (key, value) => (typeof value === 'number' ? Math.round(value) : value))}`);
console.log(`written to ${path.join(output, 'ko-en-tokenizer')}`);
const jsonOut = option('json', null);
if (jsonOut) await fs.writeFile(jsonOut, `${JSON.stringify(report, null, 2)}\n`);

if (args.includes('--compare-rules')) {
  const perSource = Number(option('per-source', '20000'));
  const korean = await loadWordPieceTokenizer(at('tokenizers/kcelectra-base'));
  const english = await loadWordPieceTokenizer(at('tokenizers/bert-base-uncased'));
  const { vocab } = buildMergeMap({ korean: korean.spec, english: english.spec });
  const read = async (sources) => Promise.all(sources.map((source) => readTextSource({ source, maxLines: perSource })));
  const samples = { ko: await read(koreanText), en: await read(englishText) };
  const rules = [
    ['chosen: strip accents + NFC, lowercase unless the text has Hangul', MERGED_NORMALIZER],
    ['strip accents + NFC, lowercase everything', { ...MERGED_NORMALIZER, keepCaseWithHangul: false }],
    ["Korean teacher's rule (cased, no accent stripping)", bertNormalizerSpec({ lowercase: false })],
    ["English teacher's rule (lowercase, strip accents: NFD splits Hangul)", bertNormalizerSpec({ lowercase: true })],
  ];
  console.log('\nidentity rate of the merged vocab under other normalisation rules (same text):');
  console.log('  Korean text  English text  rule');
  for (const [name, normalizer] of rules) {
    const merged = new WordPieceTokenizer({ spec: { ...mergedTokenizerSpec({ korean: korean.spec, vocab }), normalizer } });
    const ko = await measureInvariants({ lang: 'ko', samples: samples.ko, korean, english, merged });
    const en = await measureInvariants({ lang: 'en', samples: samples.en, korean, english, merged });
    console.log(`  ${(100 * ko.identityRate).toFixed(2).padStart(9)} %  ${(100 * en.identityRate).toFixed(2).padStart(10)} %  ${name}`);
  }
}
