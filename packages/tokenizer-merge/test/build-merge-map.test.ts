import { buildMergeMap, loadTokenizerDir, parseMergeMap } from '../src';
import { smallSpec } from './helpers/fixtures';
import { describeIfSharedData, ENGLISH_DIR, KOREAN_DIR } from './helpers/shared-data';

describe('buildMergeMap on small vocabs', () => {
  const korean = smallSpec(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '가', '##나', 'ing', 'KBS', '[unused0]'], { lowercase: false });
  const english = smallSpec(
    ['<pad>', '[unused0]', '[unused1]', '<unk>', '<s>', '</s>', '<mask>', 'the', 'ing', '##ing', 'kbs', '##나', 'a'],
    { unk: '<unk>', cls: '<s>', sep: '</s>' },
  );
  english.specialTokens.pad = '<pad>';
  english.specialTokens.mask = '<mask>';
  const { map, vocab, counts, specialTokens } = buildMergeMap({ korean, english });

  test('Korean tokens keep their ids and missing English tokens are appended in English id order', () => {
    expect(vocab.slice(0, korean.vocab.length)).toEqual(korean.vocab);
    expect(vocab.slice(korean.vocab.length)).toEqual(['the', '##ing', 'kbs', 'a']);
    expect(counts).toEqual({ shared: 2, specialByRole: 5, unusedSkipped: 2, added: 4 });
  });

  test('"ing" and "##ing" are different tokens; case matters ("KBS" ≠ "kbs")', () => {
    const byToken = new Map(map.entries.map((entry) => [entry.token, entry]));
    expect(byToken.get('ing')).toEqual({ mergedId: 7, token: 'ing', koreanId: 7, englishId: 8 });
    expect(byToken.get('##ing')).toEqual({ mergedId: 11, token: '##ing', koreanId: null, englishId: 9 });
    expect(byToken.get('KBS')!.englishId).toBeNull();
    expect(byToken.get('kbs')).toEqual({ mergedId: 12, token: 'kbs', koreanId: null, englishId: 10 });
    expect(byToken.get('##나')).toEqual({ mergedId: 6, token: '##나', koreanId: 6, englishId: 11 });
  });

  test('special tokens map by role to the Korean ones; English [unusedN] slots are not copied', () => {
    expect(specialTokens.map((s) => [s.role, s.english, s.korean])).toEqual([
      ['pad', '<pad>', '[PAD]'],
      ['unk', '<unk>', '[UNK]'],
      ['cls', '<s>', '[CLS]'],
      ['sep', '</s>', '[SEP]'],
      ['mask', '<mask>', '[MASK]'],
    ]);
    expect(map.entries.slice(0, 5).map((entry) => entry.englishId)).toEqual([0, 3, 4, 5, 6]);
    expect(map.entries.find((entry) => entry.token === '[unused0]')!.englishId).toBeNull();
    expect(vocab).not.toContain('[unused1]');
  });

  test('the map passes its own validation and has the merge-map.json format of the README', () => {
    expect(parseMergeMap(JSON.parse(JSON.stringify(map)), 'merge-map.json')).toEqual(map);
    expect(map).toMatchObject({ format: 'koenbert-merge-map/1', koreanVocabSize: 10, englishVocabSize: 13, mergedVocabSize: 14, added: 4 });
  });
});

describeIfSharedData('buildMergeMap on KcELECTRA (50,135) + bert-base-uncased (30,522)', () => {
  test('every Korean id is kept, every English token except [unusedN] gets a merged id with the same string', async () => {
    // its speed against loading the two folders: tools/bench/bench-merge-map.mjs
    const korean = (await loadTokenizerDir(KOREAN_DIR)).spec;
    const english = (await loadTokenizerDir(ENGLISH_DIR)).spec;
    const merged = buildMergeMap({ korean, english });

    expect(merged.map.koreanVocabSize).toBe(50135);
    expect(merged.map.englishVocabSize).toBe(30522);
    expect(merged.vocab.slice(0, korean.vocab.length)).toEqual(korean.vocab);
    expect(merged.map.entries.filter((entry) => entry.mergedId < korean.vocab.length && entry.koreanId !== entry.mergedId)).toEqual([]);
    expect(new Set(merged.vocab).size).toBe(merged.vocab.length);

    const mergedOfEnglish = new Map<number, number>();
    for (const entry of merged.map.entries) if (entry.englishId !== null) mergedOfEnglish.set(entry.englishId, entry.mergedId);
    const unused = english.vocab.filter((token) => /^\[unused\d+\]$/.test(token)).length;
    expect(unused).toBe(994);
    const wrong = english.vocab.filter((token, englishId) => {
      const mergedId = mergedOfEnglish.get(englishId);
      return /^\[unused\d+\]$/.test(token) ? mergedId !== undefined : mergedId === undefined || merged.vocab[mergedId] !== token;
    });
    expect(wrong).toEqual([]);
    // bert-base-uncased tokens absent from KcELECTRA (counted independently of the merge)
    const koreanSet = new Set(korean.vocab);
    const missing = english.vocab.filter((token) => !koreanSet.has(token) && !/^\[unused\d+\]$/.test(token));
    expect(merged.map.added).toBe(missing.length);
    expect(merged.vocab.slice(korean.vocab.length)).toEqual(missing);
  });
});
