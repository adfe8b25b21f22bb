import type { MergeCounts, MergedVocab } from './build-merge-map';
import type { MergeVocabsConfig } from './config';
import type { TokenizerFormat } from './io/read-tokenizer-dir';
import type { LanguageInvariants, TokenStats } from './measure-invariants';
import type { NormalizerSpec } from './normalization';

export const MERGE_REPORT_FORMAT = 'koenbert-merge-report/1';
export const MERGE_REPORT_FILE = 'merge-report.json';

/** The merged tokenizer's normalisation rule, in words (written into every report). */
export const NORMALIZATION_RULE = [
  'BERT cleaning and CJK-ideograph padding as in both teachers;',
  'accents are stripped as in bert-base-uncased (NFD, drop combining marks), then NFC recomposes what NFD split, so every Hangul syllable comes out as it went in while Latin loses its accents;',
  'letters are lowercased as in bert-base-uncased, except in a text that contains Hangul, where ASCII capitals keep their case (language by script, per text: such a text is Korean, and the cased Korean vocab holds the pieces the Korean model was trained on, e.g. "KBS", "SNS에").',
].join(' ');

export interface TokenizerSummary {
  source: string;
  dir: string;
  format: TokenizerFormat;
  vocabSize: number;
  normalizer: NormalizerSpec;
}

export interface MergeReport {
  format: typeof MERGE_REPORT_FORMAT;
  korean: TokenizerSummary;
  english: TokenizerSummary;
  merged: MergeCounts & {
    vocabSize: number;
    /** Appended tokens that start a word, and `##` continuation pieces. */
    addedWordInitial: number;
    addedContinuation: number;
    specialTokens: MergedVocab['specialTokens'];
    normalizer: NormalizerSpec;
    normalizationRule: string;
  };
  invariants: { ko: LanguageInvariants | null; en: LanguageInvariants | null };
  /** The written tokenizer.json reloaded by HF tokenizers vs the TypeScript encoder, ids compared line by line. */
  roundTrip: { sentences: number; identical: number } | null;
  /**
   * tokenizer-ko.json and tokenizer-en.json reloaded by HF tokenizers vs the teacher tokenizers on all measured lines
   * (Korean and English text), ids mapped to merged ids; the stage fails on any difference.
   */
  languageTokenizers: Record<'ko' | 'en', { file: string; sentences: number; identical: number } | null> | null;
  timings: { loadMs: number; mergeMs: number; measureMs: number };
  files: string[];
  config: MergeVocabsConfig;
}

const integer = (n: number): string => n.toLocaleString('en-US');
const percent = (x: number): string => `${(100 * x).toFixed(2)} %`;

function statsRow(label: string, pick: (s: TokenStats) => string, ko: LanguageInvariants | null, en: LanguageInvariants | null): string[] {
  return (['korean', 'english', 'merged'] as const).map(
    (name, i) =>
      `  ${(i === 0 ? label : '').padEnd(13)}${name.padEnd(9)}${(ko ? pick(ko.tokenizers[name]) : '-').padStart(12)}${(en ? pick(en.tokenizers[name]) : '-').padStart(14)}`,
  );
}

/** A human summary of a merge report (what the CLI prints). */
export function formatMergeSummary(report: MergeReport): string {
  const { merged } = report;
  const { ko, en } = report.invariants;
  const lines = [
    `merged tokenizer: ${integer(merged.vocabSize)} tokens = ${integer(report.korean.vocabSize)} Korean (ids kept) + ${integer(merged.added)} English appended (${integer(merged.addedWordInitial)} word-initial, ${integer(merged.addedContinuation)} ##-pieces)`,
    `  English tokens already in the Korean vocab: ${integer(merged.shared)}; special tokens mapped by role: ${integer(merged.specialByRole)}; [unusedN] slots skipped: ${integer(merged.unusedSkipped)}`,
    `  merge: ${report.timings.mergeMs.toFixed(0)} ms; written to ${report.config.output}`,
    `normalisation: ${merged.normalizationRule}`,
  ];
  if (ko || en) {
    lines.push('invariants                        Korean text  English text');
    lines.push(`  sentences              ${(ko ? integer(ko.sentences) : '-').padStart(12)}${(en ? integer(en.sentences) : '-').padStart(14)}`);
    lines.push(`  identity rate          ${(ko ? percent(ko.identityRate) : '-').padStart(12)}${(en ? percent(en.identityRate) : '-').padStart(14)}`);
    lines.push(...statsRow('fertility', (s) => s.fertility.toFixed(3), ko, en));
    lines.push(...statsRow('[UNK] rate', (s) => percent(s.unkRate), ko, en));
    for (const invariants of [ko, en]) {
      if (!invariants || invariants.failures.length === 0) continue;
      lines.push(`sentences split differently from the ${invariants.language === 'ko' ? 'Korean' : 'English'} tokenizer, by cause:`);
      for (const failure of invariants.failures) {
        lines.push(`  ${failure.category.padEnd(18)}${percent(failure.share).padStart(8)}  ${failure.description}`);
        const shown = failure.words.length > 0
          ? failure.words.slice(0, 4).map((w) => `${w.word}: ${w.teacher.join(' ')} → ${w.merged.join(' ')} (${w.count}×)`)
          : failure.examples.slice(0, 2).map((e) => `${e.teacher.join(' ')} → ${e.merged.join(' ')}`);
        for (const line of shown) lines.push(`      e.g. ${line}`);
      }
    }
  } else {
    lines.push('invariants: not measured (no text given)');
  }
  if (report.roundTrip) {
    lines.push(`round trip: tokenizer.json reloaded by HF tokenizers gives the TypeScript encoder's ids on ${integer(report.roundTrip.identical)} of ${integer(report.roundTrip.sentences)} sentences`);
  }
  for (const lang of ['ko', 'en'] as const) {
    const check = report.languageTokenizers?.[lang];
    if (check) lines.push(`${check.file}: the ${lang === 'ko' ? 'Korean' : 'English'} tokenizer's segmentation with merged ids, identical on ${integer(check.identical)} of ${integer(check.sentences)} sentences (Korean and English text)`);
  }
  return lines.join('\n');
}
