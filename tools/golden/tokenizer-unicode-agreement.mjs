#!/usr/bin/env node
// Checks, code point by code point (U+0000..U+10FFFF), that the pure-TypeScript normalizers and
// pre-tokenizer of @koenbert/tokenizer-merge agree with Hugging Face `tokenizers` 0.23.2 (Rust):
// the Korean teacher's BertNormalizer (cased), the English one (lowercase + strip accents), the merged
// rule, and BertPreTokenizer. Each code point is tested between two ASCII letters, in chunks that are
// bisected down to single code points where the outputs differ. Prints what differs (expected: only code
// points assigned in Unicode versions newer than the tables in the Rust crate, which Node's ICU knows).
//
//   npx nx run-many -t build -p tensor-utils tokenizer-merge
//   node tools/golden/tokenizer-unicode-agreement.mjs
import tokenizers from 'tokenizers';
import { bertNormalizerSpec, MERGED_NORMALIZER, normalizeText, tokenizerSpecToJson, WordPieceTokenizer } from '@koenbert/tokenizer-merge';

const specFor = (normalizer) => ({
  vocab: ['[UNK]', '[CLS]', '[SEP]'],
  normalizer,
  specialTokens: { unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', pad: null, mask: null },
  addedTokens: [],
  continuingSubwordPrefix: '##',
  maxInputCharsPerWord: 100,
  modelMaxLength: null,
});
const rustNormalizer = (normalizer) => tokenizers.Tokenizer.fromString(tokenizerSpecToJson(specFor(normalizer))).getNormalizer();

const checks = [];
for (const [name, normalizer] of [
  ['Korean BertNormalizer (cased)', bertNormalizerSpec({ lowercase: false })],
  ['English BertNormalizer (uncased)', bertNormalizerSpec({ lowercase: true })],
  ['merged normalizer', MERGED_NORMALIZER],
]) {
  const rust = rustNormalizer(normalizer);
  checks.push({ name, ts: (text) => normalizeText(text, normalizer), rust: (text) => rust.normalizeString(text) });
}
const none = { cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false, composeAfterStrip: false, keepCaseWithHangul: false };
const plain = new WordPieceTokenizer({ spec: specFor(none) });
const rustPre = tokenizers.bertPreTokenizer();
checks.push({
  name: 'BertPreTokenizer',
  ts: (text) => JSON.stringify(plain.splitWords(text).map((w) => w.word)),
  rust: (text) => JSON.stringify(rustPre.preTokenizeString(text).map((w) => w[0])),
});

function chunk(from, to) {
  let text = '';
  for (let cp = from; cp < to; cp++) if (cp < 0xd800 || cp > 0xdfff) text += `${String.fromCodePoint(cp)}a`;
  return text;
}

function ranges(points) {
  const out = [];
  for (const cp of points) {
    const last = out[out.length - 1];
    if (last && last[1] === cp - 1) last[1] = cp;
    else out.push([cp, cp]);
  }
  return out.map(([a, b]) => (a === b ? `U+${a.toString(16).toUpperCase()}` : `U+${a.toString(16).toUpperCase()}–U+${b.toString(16).toUpperCase()}`));
}

for (const check of checks) {
  const differing = [];
  const visit = (from, to) => {
    const text = chunk(from, to);
    if (check.ts(text) === check.rust(text)) return;
    if (to - from === 1) {
      differing.push(from);
      return;
    }
    const mid = (from + to) >> 1;
    visit(from, mid);
    visit(mid, to);
  };
  for (let from = 0; from < 0x110000; from += 4096) visit(from, from + 4096);
  const bmp = differing.filter((cp) => cp <= 0xffff).length;
  console.log(`${check.name}: ${differing.length} of 1,112,064 code points differ (${bmp} in the BMP)`);
  if (differing.length > 0) console.log(`  ${ranges(differing).slice(0, 40).join(', ')}${differing.length > 40 ? ', …' : ''}`);
}
