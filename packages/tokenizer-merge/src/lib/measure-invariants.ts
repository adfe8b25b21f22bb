import type { ProgressEvent } from '@koenbert/tensor-utils';
import { classifyMismatch, differingWords, MISMATCH_DESCRIPTIONS, type MismatchCategory } from './classify-mismatch';
import type { TextSample } from './io/read-text-source';
import type { WordPieceTokenizer } from './word-piece-tokenizer';

export interface TokenStats {
  /** Tokens without [CLS]/[SEP]. */
  tokens: number;
  /** Tokens per whitespace-separated word. */
  fertility: number;
  /** Share of tokens that are [UNK]. */
  unkRate: number;
}

export interface FailureExample {
  text: string;
  /** The teacher's tokens around the first difference. */
  teacher: string[];
  /** The merged tokenizer's tokens around the first difference. */
  merged: string[];
}

export interface FailureGroup {
  category: MismatchCategory;
  description: string;
  sentences: number;
  /** Share of all measured sentences of the language. */
  share: number;
  examples: FailureExample[];
  /** The words split differently, most frequent first (vocab-conflict only). */
  words: Array<{ word: string; teacher: string[]; merged: string[]; count: number }>;
}

export interface LanguageInvariants {
  language: 'ko' | 'en';
  sentences: number;
  words: number;
  /** Sentences the merged tokenizer splits into exactly the teacher's token strings. */
  identical: number;
  identityRate: number;
  sources: Array<{ source: string; sentences: number; totalLines: number; identityRate: number }>;
  /** The same text through each tokenizer: the Korean one (before the merge), the English one, the merged one. */
  tokenizers: { korean: TokenStats; english: TokenStats; merged: TokenStats };
  failures: FailureGroup[];
}

const CHUNK = 4096;

/** Token strings of each line, through HF `tokenizers`. */
export async function tokenStrings(tokenizer: WordPieceTokenizer, lines: string[]): Promise<string[][]> {
  const encodings = await tokenizer.rustTokenizer().encodeBatch(lines);
  return encodings.map((encoding) => encoding.getTokens());
}

function countWords(line: string): number {
  const trimmed = line.trim();
  return trimmed.length === 0 ? 0 : trimmed.split(/\s+/).length;
}

function stats(tokenized: string[][], words: number, unk: string): TokenStats {
  let tokens = 0;
  let unknown = 0;
  for (const line of tokenized) {
    tokens += line.length - 2;
    for (const token of line) if (token === unk) unknown++;
  }
  return { tokens, fertility: words === 0 ? 0 : tokens / words, unkRate: tokens === 0 ? 0 : unknown / tokens };
}

function sameTokens(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function example(text: string, teacherWithSpecials: string[], mergedWithSpecials: string[]): FailureExample {
  const teacher = teacherWithSpecials.slice(1, -1);
  const merged = mergedWithSpecials.slice(1, -1);
  let first = 0;
  while (first < teacher.length && first < merged.length && teacher[first] === merged[first]) first++;
  const from = Math.max(0, first - 3);
  return {
    text: text.length > 200 ? `${text.slice(0, 200)}…` : text,
    teacher: teacher.slice(from, first + 5),
    merged: merged.slice(from, first + 5),
  };
}

/**
 * Measures the invariants on one language's text: identity rate against that language's teacher
 * (Korean text → Korean tokenizer, English text → English tokenizer), fertility and [UNK] rate of all
 * three tokenizers, and the failing sentences grouped by cause with examples. Yields progress per chunk
 * of sentences tokenized; returns the measurements.
 */
export async function* measureInvariantsIter(params: {
  lang: 'ko' | 'en';
  samples: TextSample[];
  korean: WordPieceTokenizer;
  english: WordPieceTokenizer;
  merged: WordPieceTokenizer;
  examplesPerCategory?: number;
  wordsPerCategory?: number;
}): AsyncGenerator<ProgressEvent, LanguageInvariants> {
  const { lang, samples, korean, english, merged } = params;
  const examplesPerCategory = params.examplesPerCategory ?? 5;
  const wordsPerCategory = params.wordsPerCategory ?? 15;
  const teacher = lang === 'ko' ? korean : english;
  const lines = samples.flatMap((sample) => sample.lines);
  const words = lines.reduce((sum, line) => sum + countWords(line), 0);
  const koreanTokens: string[][] = [];
  const englishTokens: string[][] = [];
  const mergedTokens: string[][] = [];
  for (let i = 0; i < lines.length; i += CHUNK) {
    const chunk = lines.slice(i, i + CHUNK);
    const [k, e, m] = await Promise.all([tokenStrings(korean, chunk), tokenStrings(english, chunk), tokenStrings(merged, chunk)]);
    koreanTokens.push(...k);
    englishTokens.push(...e);
    mergedTokens.push(...m);
    yield { type: 'progress', stage: `merge-vocab:measure-${lang}`, step: Math.min(lines.length, i + CHUNK), total: lines.length };
  }
  const teacherTokens = lang === 'ko' ? koreanTokens : englishTokens;

  const groups = new Map<MismatchCategory, FailureGroup>();
  const wordCounts = new Map<MismatchCategory, Map<string, { word: string; teacher: string[]; merged: string[]; count: number }>>();
  const sources: LanguageInvariants['sources'] = [];
  let identical = 0;
  let offset = 0;
  for (const sample of samples) {
    let sourceIdentical = 0;
    for (let k = 0; k < sample.lines.length; k++) {
      const i = offset + k;
      if (sameTokens(teacherTokens[i], mergedTokens[i])) {
        sourceIdentical++;
        continue;
      }
      const category = classifyMismatch({ text: lines[i], lang, teacher, merged });
      let group = groups.get(category);
      if (!group) {
        group = { category, description: MISMATCH_DESCRIPTIONS[category], sentences: 0, share: 0, examples: [], words: [] };
        groups.set(category, group);
        wordCounts.set(category, new Map());
      }
      group.sentences++;
      if (group.examples.length < examplesPerCategory) group.examples.push(example(lines[i], teacherTokens[i], mergedTokens[i]));
      if (category === 'vocab-conflict') {
        const counts = wordCounts.get(category)!;
        for (const word of differingWords({ text: lines[i], teacher, merged })) {
          const entry = counts.get(word.word) ?? { ...word, count: 0 };
          entry.count++;
          counts.set(word.word, entry);
        }
      }
    }
    identical += sourceIdentical;
    sources.push({
      source: sample.source,
      sentences: sample.lines.length,
      totalLines: sample.totalLines,
      identityRate: sample.lines.length === 0 ? 1 : sourceIdentical / sample.lines.length,
    });
    offset += sample.lines.length;
  }
  const failures = [...groups.values()]
    .map((group) => ({
      ...group,
      share: group.sentences / Math.max(1, lines.length),
      words: [...wordCounts.get(group.category)!.values()].sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : 1)).slice(0, wordsPerCategory),
    }))
    .sort((a, b) => b.sentences - a.sentences);
  return {
    language: lang,
    sentences: lines.length,
    words,
    identical,
    identityRate: lines.length === 0 ? 1 : identical / lines.length,
    sources,
    tokenizers: {
      korean: stats(koreanTokens, words, korean.spec.specialTokens.unk),
      english: stats(englishTokens, words, english.spec.specialTokens.unk),
      merged: stats(mergedTokens, words, merged.spec.specialTokens.unk),
    },
    failures,
  };
}

/** measureInvariantsIter drained. */
export async function measureInvariants(params: Parameters<typeof measureInvariantsIter>[0]): Promise<LanguageInvariants> {
  const iterator = measureInvariantsIter(params);
  for (;;) {
    const next = await iterator.next();
    if (next.done) return next.value;
  }
}
