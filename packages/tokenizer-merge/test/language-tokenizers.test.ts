import { promises as fs } from 'node:fs';
import path from 'node:path';
import { bertNormalizer, bertPreTokenizer, bertProcessing, Tokenizer as RustTokenizer, WordPiece } from 'tokenizers';
import {
  buildMergeMap,
  languageTokenizerJson,
  LANGUAGE_TOKENIZER_FILES,
  mergeIdTables,
  mergeVocabs,
  readMergeMap,
  readTextSource,
  type MergeMap,
} from '../src';
import { removeDir, smallSpec, tempDir } from './helpers/fixtures';
import { describeIfSharedData, ENGLISH_DIR, ENGLISH_SOURCES, KOREAN_DIR, KOREAN_SOURCES, sharedPath } from './helpers/shared-data';

type Lang = 'ko' | 'en';

/** teacher id → merged id, as encodeAligned maps it. */
function teacherTable(map: MergeMap, lang: Lang, teacherUnkId: number): Int32Array {
  const unk = map.entries.find((entry) => (lang === 'ko' ? entry.koreanId : entry.englishId) === teacherUnkId)!.mergedId;
  const tables = mergeIdTables(map, unk);
  return lang === 'ko' ? tables.koreanToMerged : tables.englishToMerged;
}

/** Lines where ids(language file) ≠ table[ids(teacher)], with both id lists (empty when all agree). */
async function differences(p: { ours: RustTokenizer; teacher: RustTokenizer; table: Int32Array; texts: string[] | Array<[string, string]> }): Promise<string[]> {
  const encode = (tokenizer: RustTokenizer) =>
    typeof p.texts[0] === 'string' ? tokenizer.encodeBatch(p.texts as string[]) : Promise.all((p.texts as Array<[string, string]>).map(([a, b]) => tokenizer.encode(a, b)));
  const [ours, theirs] = await Promise.all([encode(p.ours), encode(p.teacher)]);
  const found: string[] = [];
  p.texts.forEach((text, i) => {
    const expected = theirs[i].getIds().map((id) => p.table[id]);
    const got = ours[i].getIds();
    const same = JSON.stringify(got) === JSON.stringify(expected) && JSON.stringify(ours[i].getOffsets()) === JSON.stringify(theirs[i].getOffsets());
    if (!same) found.push(`${JSON.stringify(text).slice(0, 100)}: ${JSON.stringify(got).slice(0, 120)} vs ${JSON.stringify(expected).slice(0, 120)}`);
  });
  return found;
}

describe('languageTokenizerJson (small vocabs)', () => {
  // The merged tokenizer would cut "playing" as play ##ing... the Korean one has "playing" whole; the English teacher
  // has no "playing" and cuts it as "play ##ing". Only the per-language file gives each teacher's cut.
  const korean = smallSpec(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'playing', '한국', '##어', 'Hello'], { lowercase: false });
  const english = smallSpec(['[PAD]', '[unused0]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'play', '##ing', 'hello', '한국'], { lowercase: true });
  const merged = buildMergeMap({ korean, english });

  test('Korean: the Korean ids (kept in the merged vocab); English: each English token at its merged id', async () => {
    const ko = RustTokenizer.fromString(languageTokenizerJson({ lang: 'ko', teacher: korean, map: merged.map }));
    const en = RustTokenizer.fromString(languageTokenizerJson({ lang: 'en', teacher: english, map: merged.map }));
    const id = (token: string) => merged.vocab.indexOf(token);
    expect((await ko.encode('Hello playing 한국어')).getIds()).toEqual([id('[CLS]'), id('Hello'), id('playing'), id('한국'), id('##어'), id('[SEP]')]);
    expect((await en.encode('Hello playing 한국어')).getIds()).toEqual([id('[CLS]'), id('hello'), id('play'), id('##ing'), id('[UNK]'), id('[SEP]')]);
    expect((await en.encode('Hello playing 한국어')).getTokens()).toEqual(['[CLS]', 'hello', 'play', '##ing', '[UNK]', '[SEP]']);
    expect((await en.encode('[MASK] x', '[PAD]')).getIds()).toEqual([id('[CLS]'), id('[MASK]'), id('[UNK]'), id('[SEP]'), id('[PAD]'), id('[SEP]')]);
  });

  test('English [unusedN] slots are left out, so the [UNK] id decodes to [UNK]', async () => {
    const json = JSON.parse(languageTokenizerJson({ lang: 'en', teacher: english, map: merged.map }));
    expect(Object.keys(json.model.vocab)).not.toContain('[unused0]');
    const en = RustTokenizer.fromString(JSON.stringify(json));
    expect(await en.decode([merged.vocab.indexOf('[UNK]')], false)).toBe('[UNK]');
  });

  test('a teacher of another size than the merge map was built from is refused', () => {
    expect(() => languageTokenizerJson({ lang: 'en', teacher: korean, map: merged.map })).toThrow(/en tokenizer has 9 tokens but the merge map was built from one with 10/);
  });
});

describeIfSharedData('tokenizer-ko.json and tokenizer-en.json reproduce the teachers exactly (HF tokenizers, real text)', () => {
  let root: string;
  let map: MergeMap;
  const files = {} as Record<Lang, RustTokenizer>;
  const teachers = {} as Record<Lang, RustTokenizer>;
  const tables = {} as Record<Lang, Int32Array>;
  let mergedFile: RustTokenizer;
  const text = {} as Record<'ko' | 'en' | 'mixed', string[]>;

  beforeAll(async () => {
    root = await tempDir();
    const output = path.join(root, 'merged');
    await mergeVocabs({ korean: KOREAN_DIR, english: ENGLISH_DIR, output });
    map = await readMergeMap(output);
    for (const lang of ['ko', 'en'] as const) files[lang] = RustTokenizer.fromFile(path.join(output, LANGUAGE_TOKENIZER_FILES[lang]));
    mergedFile = RustTokenizer.fromFile(path.join(output, 'tokenizer.json'));

    // The teachers as HF tokenizers builds them on its own: bert-base-uncased's tokenizer.json, and KcELECTRA's
    // vocab.txt with its tokenizer_config.json (cased, accents kept) as transformers' BertTokenizerFast converts it.
    teachers.en = RustTokenizer.fromFile(path.join(ENGLISH_DIR, 'tokenizer.json'));
    const config = JSON.parse(await fs.readFile(path.join(KOREAN_DIR, 'tokenizer_config.json'), 'utf8'));
    expect(config.do_lower_case).toBe(false);
    const ko = new RustTokenizer(await WordPiece.fromFile(path.join(KOREAN_DIR, 'vocab.txt'), { unkToken: '[UNK]' }));
    ko.setNormalizer(bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: false, stripAccents: false }));
    ko.setPreTokenizer(bertPreTokenizer());
    ko.setPostProcessor(bertProcessing(['[SEP]', ko.tokenToId('[SEP]')!], ['[CLS]', ko.tokenToId('[CLS]')!]));
    ko.addSpecialTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    teachers.ko = ko;
    tables.ko = teacherTable(map, 'ko', ko.tokenToId('[UNK]')!);
    tables.en = teacherTable(map, 'en', teachers.en.tokenToId('[UNK]')!);

    const read = async (sources: string[], maxLines: number) =>
      (await Promise.all(sources.map((source) => readTextSource({ source, maxLines })))).flatMap((sample) => sample.lines);
    text.ko = [...(await read(KOREAN_SOURCES, 600)), ...(await read([sharedPath('text', 'parallel', 'korean-english-park.dev.ko')], 1000))];
    text.en = [...(await read(ENGLISH_SOURCES, 600)), ...(await read([sharedPath('text', 'parallel', 'korean-english-park.dev.en')], 1000))];
    // Mixed: each Korean news sentence with its English translation in one text, and code-switched jhe sentences.
    const koLines = await read([sharedPath('text', 'parallel', 'korean-english-park.dev.ko'), sharedPath('text', 'parallel', 'jhe-koen-dev.ko')], 1000);
    const enLines = await read([sharedPath('text', 'parallel', 'korean-english-park.dev.en'), sharedPath('text', 'parallel', 'jhe-koen-dev.en')], 1000);
    text.mixed = koLines.map((line, i) => `${line} ${enLines[i] ?? ''}`);
  });
  afterAll(async () => removeDir(root));

  test.each([
    ['ko', 'ko'],
    ['ko', 'en'],
    ['ko', 'mixed'],
    ['en', 'en'],
    ['en', 'ko'],
    ['en', 'mixed'],
  ] as const)('tokenizer-%s.json on %s text: ids = the teacher ids mapped to merged ids, offsets equal, on every line', async (lang, kind) => {
    const texts = text[kind];
    expect(texts.length).toBeGreaterThan(1500);
    expect(await differences({ ours: files[lang], teacher: teachers[lang], table: tables[lang], texts })).toEqual([]);
  });

  test.each(['ko', 'en'] as const)('tokenizer-%s.json: pairs truncated to 32 tokens agree too', async (lang) => {
    const pairs = text.ko.slice(0, 1000).map((line, i): [string, string] => [line, text.en[i]]);
    for (const tokenizer of [files[lang], teachers[lang]]) tokenizer.setTruncation(32);
    try {
      expect(await differences({ ours: files[lang], teacher: teachers[lang], table: tables[lang], texts: pairs })).toEqual([]);
    } finally {
      for (const tokenizer of [files[lang], teachers[lang]]) tokenizer.disableTruncation();
    }
  });

  test('the merged tokenizer.json does not: it splits some Korean and some English lines differently (why the files exist)', async () => {
    for (const lang of ['ko', 'en'] as const) {
      const found = await differences({ ours: mergedFile, teacher: teachers[lang], table: tables[lang], texts: text[lang] });
      expect(found.length).toBeGreaterThan(0.01 * text[lang].length);
    }
  });

  test('every id is a merged id whose token is the teacher token it stands for', async () => {
    const vocab = map.entries.map((entry) => entry.token);
    for (const lang of ['ko', 'en'] as const) {
      const encodings = await files[lang].encodeBatch(text.mixed.slice(0, 500));
      const wrong: string[] = [];
      for (const encoding of encodings) {
        const tokens = encoding.getTokens();
        encoding.getIds().forEach((id, i) => {
          if (id >= map.mergedVocabSize || (tokens[i] !== '[UNK]' && vocab[id] !== tokens[i])) wrong.push(`${lang}: ${tokens[i]} → ${id}`);
        });
      }
      expect(wrong).toEqual([]);
    }
  });
});
