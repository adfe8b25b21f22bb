import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import {
  formatMergeSummary,
  loadWordPieceTokenizer,
  mergeVocabsIter,
  readMergeMap,
  readTextSource,
  readVocabFile,
  type MergeReport,
  type MergeVocabsEvent,
  type WordPieceTokenizer,
} from '../src';
import { removeDir, tempDir } from './helpers/fixtures';
import { describeIfSharedData, ENGLISH_DIR, ENGLISH_SOURCES, KOREAN_DIR, KOREAN_SOURCES } from './helpers/shared-data';

describeIfSharedData('mergeVocabs on KcELECTRA + bert-base-uncased and real Korean/English text', () => {
  let root: string;
  let output: string;
  let report: MergeReport;
  const events: MergeVocabsEvent[] = [];
  let korean: WordPieceTokenizer;
  let english: WordPieceTokenizer;
  let merged: WordPieceTokenizer;
  let koreanLines: string[];
  let englishLines: string[];

  beforeAll(async () => {
    root = await tempDir();
    output = path.join(root, 'ko-en-tokenizer');
    const iterator = mergeVocabsIter({
      korean: KOREAN_DIR,
      english: ENGLISH_DIR,
      output,
      koreanText: KOREAN_SOURCES,
      englishText: ENGLISH_SOURCES,
      maxSentencesPerSource: 300,
    });
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        report = next.value;
        break;
      }
      events.push(next.value);
    }
    korean = await loadWordPieceTokenizer(KOREAN_DIR);
    english = await loadWordPieceTokenizer(ENGLISH_DIR);
    merged = await loadWordPieceTokenizer(output);
    const read = async (sources: string[]) =>
      (await Promise.all(sources.map((source) => readTextSource({ source, maxLines: 300 })))).flatMap((sample) => sample.lines);
    koreanLines = await read(KOREAN_SOURCES);
    englishLines = await read(ENGLISH_SOURCES);
  });
  afterAll(async () => removeDir(root));

  test('progress events arrive in stage order and the report is the last one', () => {
    const stageEvents = events.filter((event) => event.type !== 'progress');
    expect(stageEvents.map((event) => event.type)).toEqual(['loaded', 'loaded', 'merged', 'measuring', 'measured', 'measuring', 'measured', 'verified', 'verified-language', 'verified-language', 'written', 'done']);
    const progress = events.filter((event) => event.type === 'progress');
    expect(progress.map((event) => event.type === 'progress' && event.stage)).toEqual(['merge-vocab:measure-ko', 'merge-vocab:measure-en', 'merge-vocab:round-trip', 'merge-vocab:verify-ko', 'merge-vocab:verify-en']);
    for (const event of progress) if (event.type === 'progress') expect(event.step).toBe(event.total);
    expect(events[events.length - 1]).toEqual({ type: 'done', report });
  });

  test('the folder holds the HF tokenizer files, merge-map.json and merge-report.json', async () => {
    expect((await fs.readdir(output)).sort()).toEqual(
      ['merge-map.json', 'merge-report.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer-ko.json', 'tokenizer-en.json', 'tokenizer_config.json', 'vocab.txt'].sort(),
    );
    // The merged normalizer is no BertTokenizer setting: the config names the class that runs tokenizer.json as it is.
    const config = JSON.parse(await fs.readFile(path.join(output, 'tokenizer_config.json'), 'utf8'));
    expect(config).toMatchObject({ tokenizer_class: 'PreTrainedTokenizerFast', unk_token: '[UNK]', model_max_length: 512 });
    for (const key of ['do_lower_case', 'strip_accents', 'tokenize_chinese_chars']) expect(config).not.toHaveProperty(key);
    const sentences = koreanLines.length + englishLines.length;
    expect(report.languageTokenizers).toEqual({
      ko: { file: 'tokenizer-ko.json', sentences, identical: sentences },
      en: { file: 'tokenizer-en.json', sentences, identical: sentences },
    });
    expect(formatMergeSummary(report)).toContain(`tokenizer-en.json: the English tokenizer's segmentation with merged ids, identical on ${sentences.toLocaleString('en-US')} of`);
    expect(JSON.parse(await fs.readFile(path.join(output, 'special_tokens_map.json'), 'utf8'))).toEqual({
      unk_token: '[UNK]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      cls_token: '[CLS]',
      mask_token: '[MASK]',
    });
    expect(JSON.parse(await fs.readFile(path.join(output, 'merge-report.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  test('vocab.txt: the Korean vocab.txt line for line, then the appended English tokens', async () => {
    const vocab = await readVocabFile(path.join(output, 'vocab.txt'));
    const koreanVocab = await readVocabFile(path.join(KOREAN_DIR, 'vocab.txt'));
    expect(vocab.length).toBe(report.merged.vocabSize);
    expect(vocab.slice(0, koreanVocab.length)).toEqual(koreanVocab);
    expect(vocab).toEqual(merged.vocab);
    const map = await readMergeMap(output);
    expect(map.entries.map((entry) => entry.token)).toEqual(vocab);
    expect(map.added).toBe(vocab.length - koreanVocab.length);
  });

  test('HF round trip: tokenizer.json reloaded by HF tokenizers gives the same ids as the TypeScript encoder on 1000+ real lines', async () => {
    const reloaded = RustTokenizer.fromFile(path.join(output, 'tokenizer.json'));
    expect(reloaded.getVocabSize(true)).toBe(report.merged.vocabSize);
    const lines = [...koreanLines, ...englishLines];
    expect(lines.length).toBeGreaterThan(1000);
    const encodings = await reloaded.encodeBatch(lines);
    const different = lines.filter((line, i) => JSON.stringify(encodings[i].getIds()) !== JSON.stringify(merged.encode(line).ids));
    expect(different).toEqual([]);
    expect(report.roundTrip).toEqual({ sentences: lines.length, identical: lines.length });
  });

  test('identity rates: recounted with the TypeScript encoders, they match the report and the README floor', () => {
    const identity = (teacher: WordPieceTokenizer, lines: string[]) =>
      lines.filter((line) => JSON.stringify(teacher.tokenize(line)) === JSON.stringify(merged.tokenize(line))).length / lines.length;
    const ko = report.invariants.ko!;
    const en = report.invariants.en!;
    expect(ko.sentences).toBe(koreanLines.length);
    expect(en.sentences).toBe(englishLines.length);
    expect(identity(korean, koreanLines)).toBeCloseTo(ko.identityRate, 10);
    expect(identity(english, englishLines)).toBeCloseTo(en.identityRate, 10);
    expect(ko.identityRate).toBeGreaterThan(0.97);
    expect(en.identityRate).toBeGreaterThan(0.96);
  });

  test('every failing sentence is counted under exactly one named category', () => {
    for (const [lang, invariants] of [['ko', report.invariants.ko!], ['en', report.invariants.en!]] as const) {
      const counted = invariants.failures.reduce((sum, failure) => sum + failure.sentences, 0);
      expect(counted).toBe(invariants.sentences - invariants.identical);
      const allowed = lang === 'ko' ? ['vocab-conflict', 'lowercased', 'accents-stripped'] : ['vocab-conflict', 'hangul-in-english', 'combining-marks'];
      for (const failure of invariants.failures) {
        expect(allowed).toContain(failure.category);
        expect(failure.examples.length).toBeGreaterThan(0);
        for (const example of failure.examples) expect(example.teacher).not.toEqual(example.merged);
      }
    }
    const conflicts = report.invariants.en!.failures.find((failure) => failure.category === 'vocab-conflict')!;
    for (const word of conflicts.words) {
      expect(english.tokenize(word.word)).toEqual(word.teacher);
      expect(merged.tokenize(word.word)).toEqual(word.merged);
    }
  });

  test('English text: the merge cuts fertility and [UNK] rate of the Korean tokenizer down to the English one', () => {
    const en = report.invariants.en!.tokenizers;
    expect(en.merged.fertility).toBeLessThan(0.7 * en.korean.fertility);
    expect(Math.abs(en.merged.fertility - en.english.fertility)).toBeLessThan(0.02 * en.english.fertility);
    expect(en.merged.unkRate).toBeLessThanOrEqual(en.korean.unkRate);
    const ko = report.invariants.ko!.tokenizers;
    expect(Math.abs(ko.merged.fertility - ko.korean.fertility)).toBeLessThan(0.02 * ko.korean.fertility);
  });

  test('the report times the merge of 50k + 30k tokens (its speed: tools/bench/bench-merge-map.mjs)', () => {
    expect(report.timings.mergeMs).toBeGreaterThan(0);
    expect(events.find((event) => event.type === 'merged')).toMatchObject({ mergeMs: report.timings.mergeMs });
  });

  test('the human summary carries the measured numbers', () => {
    const summary = formatMergeSummary(report);
    expect(summary).toContain(`${(100 * report.invariants.ko!.identityRate).toFixed(2)} %`);
    expect(summary).toContain(`${(100 * report.invariants.en!.identityRate).toFixed(2)} %`);
    expect(summary).toContain('77,780 tokens = 50,135 Korean (ids kept) + 27,645 English appended');
  });
});
