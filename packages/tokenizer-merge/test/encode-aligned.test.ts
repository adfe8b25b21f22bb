import { buildMergeMap, encodeAligned, encodeAlignedBatch, loadWordPieceTokenizer, mergeIdTables, readTextSource, WordPieceTokenizer, type MergeMap } from '../src';
import { smallSpec } from './helpers/fixtures';
import { describeIfSharedData, ENGLISH_DIR, ENGLISH_SOURCES, KOREAN_DIR, KOREAN_SOURCES } from './helpers/shared-data';

describeIfSharedData('encodeAligned: student ids one-to-one with each teacher on real text', () => {
  let korean: WordPieceTokenizer;
  let english: WordPieceTokenizer;
  let merged: MergeMap;
  let mergedVocab: string[];
  let koreanLines: string[];
  let englishLines: string[];

  beforeAll(async () => {
    korean = await loadWordPieceTokenizer(KOREAN_DIR);
    english = await loadWordPieceTokenizer(ENGLISH_DIR);
    const result = buildMergeMap({ korean: korean.spec, english: english.spec });
    merged = result.map;
    mergedVocab = result.vocab;
    const read = async (sources: string[]) =>
      (await Promise.all(sources.map((source) => readTextSource({ source, maxLines: 150 })))).flatMap((sample) => sample.lines);
    koreanLines = await read(KOREAN_SOURCES);
    englishLines = await read(ENGLISH_SOURCES);
  });

  test.each(['ko', 'en'] as const)('%s: teacher ids are the teacher’s own, student ids name the same tokens (every line)', async (lang) => {
    const teacher = lang === 'ko' ? korean : english;
    const lines = lang === 'ko' ? koreanLines : [...englishLines, ...koreanLines.slice(0, 100)];
    const rust = await teacher.encodeBatch(lines);
    const problems: string[] = [];
    lines.forEach((text, i) => {
      const { teacherIds, studentIds } = encodeAligned({ text, lang, merged, teacher });
      if (JSON.stringify(teacherIds) !== JSON.stringify(rust[i].ids)) problems.push(`teacher ids differ: ${text}`);
      if (studentIds.length !== teacherIds.length) problems.push(`lengths differ: ${text}`);
      const teacherTokens = teacherIds.map((id) => teacher.vocab[id]);
      const studentTokens = studentIds.map((id) => mergedVocab[id]);
      if (JSON.stringify(studentTokens) !== JSON.stringify(teacherTokens)) problems.push(`tokens differ: ${text}`);
      if (lang === 'ko' && JSON.stringify(studentIds) !== JSON.stringify(teacherIds)) problems.push(`Korean ids moved: ${text}`);
    });
    expect(problems).toEqual([]);
  });

  test('every English id except [unusedN] has a student id for the same token; [unusedN] map to [UNK]', () => {
    const { studentIds } = encodeAligned({ text: '', lang: 'en', merged, teacher: english });
    expect(studentIds).toEqual([2, 3]);
    const all = english.vocab.map((_, id) => id);
    const { englishToMerged } = mergeIdTables(merged, 1);
    const wrong = all.filter((id) => {
      const token = english.vocab[id];
      return /^\[unused\d+\]$/.test(token) ? englishToMerged[id] !== 1 : mergedVocab[englishToMerged[id]] !== token;
    });
    expect(wrong).toEqual([]);
  });

  test('encodeAlignedBatch (HF tokenizers) equals encodeAligned, with truncation too', async () => {
    const texts = englishLines.slice(0, 200);
    const batch = await encodeAlignedBatch({ texts, lang: 'en', merged, teacher: english, maxLength: 32 });
    expect(batch).toEqual(texts.map((text) => encodeAligned({ text, lang: 'en', merged, teacher: english, maxLength: 32 })));
    expect(batch.every((aligned) => aligned.studentIds.length <= 32)).toBe(true);
    expect(await encodeAlignedBatch({ texts, lang: 'en', merged, teacher: english, maxLength: 32, engine: 'typescript' })).toEqual(batch);
  });
});

test('a teacher that is not the one the merge map was built from is refused', () => {
  const teacher = new WordPieceTokenizer({ spec: smallSpec(['[UNK]', '[CLS]', '[SEP]', 'a']) });
  const korean = smallSpec(['[UNK]', '[CLS]', '[SEP]', '가']);
  const { map } = buildMergeMap({ korean, english: smallSpec(['[UNK]', '[CLS]', '[SEP]', 'a', 'b']) });
  expect(() => encodeAligned({ text: 'a', lang: 'en', merged: map, teacher })).toThrow(/has 4 tokens but the merge map was built from one with 5/);
});
