import { performance } from 'node:perf_hooks';
import { hubOptionsOf, refuseExistingOutput, writeDirAtomic, type ProgressEvent } from '@koenbert/tensor-utils';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { KoenbertError } from '@koenbert/tensor-utils';
import { buildMergeMap } from './build-merge-map';
import { parseMergeVocabsConfig, type MergeVocabsConfig, type MergeVocabsConfigInput } from './config';
import type { TokenizerFormat } from './io/read-tokenizer-dir';
import { readTextSource, type TextSample } from './io/read-text-source';
import type { TokenizerHubOptions } from './io/resolve-tokenizer-dir';
import { languageTokenizerJson, LANGUAGE_TOKENIZER_FILES } from './language-tokenizer-json';
import { MERGE_MAP_FILE, mergeIdTables, type MergeMap } from './merge-map';
import { writeMergedTokenizer } from './io/write-merged-tokenizer';
import { loadTokenizerDir } from './load-word-piece-tokenizer';
import { measureInvariantsIter, type LanguageInvariants } from './measure-invariants';
import { MERGE_REPORT_FILE, MERGE_REPORT_FORMAT, NORMALIZATION_RULE, type MergeReport } from './merge-report';
import { mergedTokenizerSpec } from './merged-tokenizer-spec';
import { tokenizerSpecToJson } from './tokenizer-spec';
import { WordPieceTokenizer } from './word-piece-tokenizer';

export type MergeVocabsEvent =
  | { type: 'loaded'; role: 'korean' | 'english'; dir: string; format: TokenizerFormat; vocabSize: number }
  | { type: 'merged'; vocabSize: number; added: number; mergeMs: number }
  | { type: 'measuring'; language: 'ko' | 'en'; sentences: number }
  | { type: 'measured'; language: 'ko' | 'en'; sentences: number; identityRate: number }
  | { type: 'verified'; sentences: number; identical: number }
  | { type: 'verified-language'; language: 'ko' | 'en'; file: string; sentences: number }
  | { type: 'written'; output: string; files: string[] }
  | { type: 'done'; report: MergeReport }
  | ProgressEvent;

/** What the config cannot carry: a Hub token (never saved with the report) and a fetch for tests. */
export interface MergeVocabsOptions {
  hubToken?: string;
  fetch?: typeof fetch;
}

const MERGED_FILES = [
  'tokenizer.json',
  LANGUAGE_TOKENIZER_FILES.ko,
  LANGUAGE_TOKENIZER_FILES.en,
  'vocab.txt',
  'tokenizer_config.json',
  'special_tokens_map.json',
  MERGE_MAP_FILE,
  MERGE_REPORT_FILE,
];

async function readSamples(sources: string[], maxLines: number): Promise<TextSample[]> {
  const samples: TextSample[] = [];
  for (const source of sources) samples.push(await readTextSource({ source, maxLines }));
  return samples;
}

/** Ids of the TS encoder vs HF tokenizers loaded from the exact tokenizer.json text that is written. */
async function* verifyRoundTrip(merged: WordPieceTokenizer, tokenizerJson: string, lines: string[]): AsyncGenerator<ProgressEvent, { sentences: number; identical: number }> {
  const reloaded = RustTokenizer.fromString(tokenizerJson);
  let identical = 0;
  for (let i = 0; i < lines.length; i += 4096) {
    const chunk = lines.slice(i, i + 4096);
    const encodings = await reloaded.encodeBatch(chunk);
    encodings.forEach((encoding, k) => {
      const rust = encoding.getIds();
      const ts = merged.encode(chunk[k]).ids;
      if (rust.length === ts.length && rust.every((id, j) => id === ts[j])) identical++;
    });
    yield { type: 'progress', stage: 'merge-vocab:round-trip', step: Math.min(lines.length, i + 4096), total: lines.length };
  }
  return { sentences: lines.length, identical };
}

/**
 * tokenizer-<lang>.json reloaded by HF tokenizers against the teacher's own tokenizer (Rust) on every line: the ids
 * must be the teacher's ids mapped to merged ids. A difference is a bug, and nothing is written.
 */
async function* verifyLanguageTokenizer(p: {
  lang: 'ko' | 'en';
  json: string;
  teacher: WordPieceTokenizer;
  map: MergeMap;
  lines: string[];
}): AsyncGenerator<ProgressEvent, number> {
  const reloaded = RustTokenizer.fromString(p.json);
  const unk = p.map.entries.find((entry) => (p.lang === 'ko' ? entry.koreanId : entry.englishId) === p.teacher.unkId)!.mergedId;
  const tables = mergeIdTables(p.map, unk);
  const table = p.lang === 'ko' ? tables.koreanToMerged : tables.englishToMerged;
  for (let i = 0; i < p.lines.length; i += 4096) {
    const chunk = p.lines.slice(i, i + 4096);
    const [ours, theirs] = await Promise.all([reloaded.encodeBatch(chunk), p.teacher.encodeBatch(chunk)]);
    chunk.forEach((line, k) => {
      const expected = theirs[k].ids.map((id) => table[id]);
      const got = ours[k].getIds();
      if (got.length !== expected.length || got.some((id, j) => id !== expected[j])) {
        throw new KoenbertError({
          code: 'LANGUAGE_TOKENIZER_MISMATCH',
          message: `${LANGUAGE_TOKENIZER_FILES[p.lang]} differs from the ${p.lang} tokenizer on ${JSON.stringify(line.slice(0, 80))}`,
        });
      }
    });
    yield { type: 'progress', stage: `merge-vocab:verify-${p.lang}`, step: Math.min(p.lines.length, i + 4096), total: p.lines.length };
  }
  return p.lines.length;
}

/**
 * The merge-vocab stage: loads both tokenizers, merges the vocabs (Korean ids kept, English tokens
 * appended), measures the invariants on the given text, and writes the merged tokenizer folder
 * atomically (nothing is written when anything fails). Yields progress events; returns the report.
 */
export async function* mergeVocabsIter(input: MergeVocabsConfigInput | MergeVocabsConfig, options: MergeVocabsOptions = {}): AsyncGenerator<MergeVocabsEvent, MergeReport> {
  const config = parseMergeVocabsConfig(input);
  await refuseExistingOutput(config.output, config.overwrite);
  const hub: TokenizerHubOptions = hubOptionsOf(config, options);

  let start = performance.now();
  const korean = await loadTokenizerDir(config.korean, hub);
  yield { type: 'loaded', role: 'korean', dir: korean.dir, format: korean.format, vocabSize: korean.spec.vocab.length };
  const english = await loadTokenizerDir(config.english, hub);
  yield { type: 'loaded', role: 'english', dir: english.dir, format: english.format, vocabSize: english.spec.vocab.length };
  const koreanSamples = await readSamples(config.koreanText, config.maxSentencesPerSource);
  const englishSamples = await readSamples(config.englishText, config.maxSentencesPerSource);
  const loadMs = performance.now() - start;

  start = performance.now();
  const mergedVocab = buildMergeMap({ korean: korean.spec, english: english.spec });
  const mergedSpec = mergedTokenizerSpec({ korean: korean.spec, vocab: mergedVocab.vocab });
  const tokenizerJson = tokenizerSpecToJson(mergedSpec);
  const merged = new WordPieceTokenizer({ spec: mergedSpec, tokenizerJson });
  merged.rustTokenizer();
  const languageJson = {
    ko: languageTokenizerJson({ lang: 'ko', teacher: korean.spec, map: mergedVocab.map }),
    en: languageTokenizerJson({ lang: 'en', teacher: english.spec, map: mergedVocab.map }),
  };
  const mergeMs = performance.now() - start;
  yield { type: 'merged', vocabSize: mergedVocab.vocab.length, added: mergedVocab.counts.added, mergeMs };

  start = performance.now();
  const koreanTokenizer = new WordPieceTokenizer({ spec: korean.spec, tokenizerJson: korean.tokenizerJson });
  const englishTokenizer = new WordPieceTokenizer({ spec: english.spec, tokenizerJson: english.tokenizerJson });
  const invariants: { ko: LanguageInvariants | null; en: LanguageInvariants | null } = { ko: null, en: null };
  for (const [lang, samples] of [['ko', koreanSamples], ['en', englishSamples]] as const) {
    const sentences = samples.reduce((sum, sample) => sum + sample.lines.length, 0);
    if (sentences === 0) continue;
    yield { type: 'measuring', language: lang, sentences };
    invariants[lang] = yield* measureInvariantsIter({
      lang,
      samples,
      korean: koreanTokenizer,
      english: englishTokenizer,
      merged,
      examplesPerCategory: config.examplesPerCategory,
    });
    yield { type: 'measured', language: lang, sentences, identityRate: invariants[lang]!.identityRate };
  }
  let roundTrip: MergeReport['roundTrip'] = null;
  const allLines = [...koreanSamples, ...englishSamples].flatMap((sample) => sample.lines);
  if (config.verifyRoundTrip && allLines.length > 0) {
    roundTrip = yield* verifyRoundTrip(merged, tokenizerJson, allLines);
    yield { type: 'verified', ...roundTrip };
  }
  let languageTokenizers: MergeReport['languageTokenizers'] = null;
  if (config.verifyRoundTrip && allLines.length > 0) {
    languageTokenizers = { ko: null, en: null };
    for (const [lang, teacher] of [['ko', koreanTokenizer], ['en', englishTokenizer]] as const) {
      const sentences = yield* verifyLanguageTokenizer({ lang, json: languageJson[lang], teacher, map: mergedVocab.map, lines: allLines });
      languageTokenizers[lang] = { file: LANGUAGE_TOKENIZER_FILES[lang], sentences, identical: sentences };
      yield { type: 'verified-language', language: lang, file: LANGUAGE_TOKENIZER_FILES[lang], sentences };
    }
  }
  const measureMs = performance.now() - start;

  const added = mergedVocab.vocab.slice(korean.spec.vocab.length);
  const continuation = added.filter((token) => token.startsWith(mergedSpec.continuingSubwordPrefix)).length;
  const report: MergeReport = {
    format: MERGE_REPORT_FORMAT,
    korean: { source: config.korean, dir: korean.dir, format: korean.format, vocabSize: korean.spec.vocab.length, normalizer: korean.spec.normalizer },
    english: { source: config.english, dir: english.dir, format: english.format, vocabSize: english.spec.vocab.length, normalizer: english.spec.normalizer },
    merged: {
      vocabSize: mergedVocab.vocab.length,
      ...mergedVocab.counts,
      addedWordInitial: added.length - continuation,
      addedContinuation: continuation,
      specialTokens: mergedVocab.specialTokens,
      normalizer: mergedSpec.normalizer,
      normalizationRule: NORMALIZATION_RULE,
    },
    invariants,
    roundTrip,
    languageTokenizers,
    timings: { loadMs, mergeMs, measureMs },
    files: MERGED_FILES,
    config,
  };

  let files: string[] = [];
  await writeDirAtomic(config.output, async (dir) => {
    files = await writeMergedTokenizer({ dir, spec: mergedSpec, tokenizerJson, languageTokenizers: languageJson, mergeMap: mergedVocab.map, report });
  });
  yield { type: 'written', output: config.output, files };
  yield { type: 'done', report };
  return report;
}

/** mergeVocabsIter drained: runs the stage and returns its report. */
export async function mergeVocabs(input: MergeVocabsConfigInput | MergeVocabsConfig, options: MergeVocabsOptions = {}): Promise<MergeReport> {
  const iterator = mergeVocabsIter(input, options);
  for (;;) {
    const next = await iterator.next();
    if (next.done) return next.value;
  }
}
