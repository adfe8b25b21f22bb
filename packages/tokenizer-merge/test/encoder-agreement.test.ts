import { buildMergeMap, loadWordPieceTokenizer, mergedTokenizerSpec, readTextSource, WordPieceTokenizer, type Encoding } from '../src';
import { describeIfSharedData, ENGLISH_DIR, ENGLISH_SOURCES, KOREAN_DIR, KOREAN_SOURCES } from './helpers/shared-data';

/** Lines whose pure-TS encoding differs from HF tokenizers', with the first differing field. */
function disagreements(lines: Array<string | [string, string]>, ts: Encoding[], rust: Encoding[]): string[] {
  const found: string[] = [];
  lines.forEach((line, i) => {
    for (const field of ['ids', 'tokens', 'offsets', 'typeIds', 'specialTokensMask', 'wordIds', 'sequenceIds'] as const) {
      if (JSON.stringify(ts[i][field]) !== JSON.stringify(rust[i][field])) {
        found.push(`${JSON.stringify(line).slice(0, 120)} → ${field}: ts ${JSON.stringify(ts[i][field]).slice(0, 200)} / rust ${JSON.stringify(rust[i][field]).slice(0, 200)}`);
        break;
      }
    }
  });
  return found;
}

describeIfSharedData('the pure-TS encoder gives the same encodings as Hugging Face tokenizers (Rust)', () => {
  const tokenizers: Record<string, WordPieceTokenizer> = {};
  let koreanLines: string[] = [];
  let englishLines: string[] = [];

  beforeAll(async () => {
    tokenizers.korean = await loadWordPieceTokenizer(KOREAN_DIR);
    tokenizers.english = await loadWordPieceTokenizer(ENGLISH_DIR);
    const { vocab } = buildMergeMap({ korean: tokenizers.korean.spec, english: tokenizers.english.spec });
    tokenizers.merged = new WordPieceTokenizer({ spec: mergedTokenizerSpec({ korean: tokenizers.korean.spec, vocab }) });
    const read = async (sources: string[]): Promise<string[]> =>
      (await Promise.all(sources.map((source) => readTextSource({ source, maxLines: 250 })))).flatMap((sample) => sample.lines);
    koreanLines = await read(KOREAN_SOURCES);
    englishLines = await read(ENGLISH_SOURCES);
  });

  test.each([
    ['korean', 'ko'],
    ['korean', 'en'],
    ['english', 'ko'],
    ['english', 'en'],
    ['merged', 'ko'],
    ['merged', 'en'],
  ])('%s tokenizer on %s text: ids, tokens, offsets and word ids agree on every line', async (name, lang) => {
    const tokenizer = tokenizers[name];
    const lines = lang === 'ko' ? koreanLines : englishLines;
    expect(lines.length).toBeGreaterThan(1000);
    const rust = await tokenizer.encodeBatch(lines);
    const ts = lines.map((line) => tokenizer.encode(line));
    expect(disagreements(lines, ts, rust)).toEqual([]);
  });

  test.each(['korean', 'english', 'merged'])('%s tokenizer: pairs, and single texts, truncated to 16/24/64 tokens agree', async (name) => {
    const tokenizer = tokenizers[name];
    const pairs = koreanLines.slice(0, 300).map((line, i): [string, string] => [line, englishLines[i * 3]]);
    for (const maxLength of [16, 24, 64]) {
      const rust = await tokenizer.encodeBatch(pairs, { maxLength });
      const ts = pairs.map(([a, b]) => tokenizer.encode(a, b, { maxLength }));
      expect(ts.every((encoding) => encoding.ids.length <= maxLength)).toBe(true);
      expect(disagreements(pairs, ts, rust)).toEqual([]);
      const singles = englishLines.slice(0, 300);
      const rustSingles = await tokenizer.encodeBatch(singles, { maxLength });
      expect(disagreements(singles, singles.map((line) => tokenizer.encode(line, undefined, { maxLength })), rustSingles)).toEqual([]);
    }
  });
});
