import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildMergeMap, loadTokenizerDir, MERGE_MAP_FORMAT, type MergeMap } from '@koenbert/tokenizer-merge';
import { appendedTokens, isNonWordToken, selectPairs, splitPairs } from '../src/lib/select-pairs';
import { describeIfSharedData, ENGLISH_TOKENIZER, KOREAN_TOKENIZER } from './helpers/shared-data';

function mergeMapOf(entries: Array<[token: string, koreanId: number | null, englishId: number | null]>, koreanVocabSize: number, englishVocabSize: number): MergeMap {
  return {
    format: MERGE_MAP_FORMAT,
    koreanVocabSize,
    englishVocabSize,
    mergedVocabSize: entries.length,
    added: entries.length - koreanVocabSize,
    entries: entries.map(([token, koreanId, englishId], mergedId) => ({ mergedId, token, koreanId, englishId })),
  };
}

describe('selectPairs', () => {
  const map = mergeMapOf(
    [
      ['[PAD]', 0, 0],
      ['[UNK]', 1, 100],
      ['[CLS]', 2, 101],
      ['한국', 3, null],
      ['the', 4, 7],
      ['##ing', 5, 8],
      ['ing', 6, null],
      ['2019', 7, 9],
      ['##.', 8, 10],
      ['[unused3]', 9, 4],
      ['<special>', 10, 11],
      ['dog', null, 12],
      ['##s', null, 13],
    ],
    11,
    200,
  );

  it.each([
    [false, ['the', '##ing', '2019', '##.'], { shared: 9, special: 5, nonWord: 0, pairs: 4 }],
    [true, ['the', '##ing'], { shared: 9, special: 5, nonWord: 2, pairs: 2 }],
  ])('dropNonWord %s', (dropNonWord, tokens, counts) => {
    const { pairs, counts: got } = selectPairs({ mergeMap: map, specialTokens: ['[PAD]', '[UNK]', '[CLS]', '<special>'], dropNonWord });
    expect(pairs.tokens).toEqual(tokens);
    expect(got).toEqual(counts);
    const byToken = new Map(map.entries.map((entry) => [entry.token, entry]));
    tokens.forEach((token, i) => {
      expect(pairs.englishIds[i]).toBe(byToken.get(token)!.englishId);
      expect(pairs.koreanIds[i]).toBe(byToken.get(token)!.koreanId);
    });
  });

  it('lists the appended rows in merged-id order', () => {
    expect(appendedTokens(map)).toEqual({ tokens: ['dog', '##s'], englishIds: Int32Array.from([12, 13]), mergedIds: Int32Array.from([11, 12]) });
  });

  it.each([
    ['2019', true],
    ['##.', true],
    ['…', true],
    ['$', true],
    ['##', true],
    ['a1', false],
    ['##ing', false],
    ['한국', false],
  ])('isNonWordToken(%j) = %s', (token, expected) => {
    expect(isNonWordToken(token)).toBe(expected);
  });

  it('splitPairs is a disjoint split of the given order', () => {
    const { pairs } = selectPairs({ mergeMap: map, specialTokens: [] });
    const { first, second } = splitPairs({ pairs, fraction: 0.25, order: [5, 0, 2, 4, 1, 3] });
    expect(second.tokens).toEqual([pairs.tokens[5], pairs.tokens[0]]);
    expect(first.tokens).toEqual([2, 4, 1, 3].map((i) => pairs.tokens[i]));
  });
});

describeIfSharedData('selectPairs on the real merged vocab (kcelectra-base + bert-base-uncased)', () => {
  const readVocab = (dir: string): string[] => readFileSync(path.join(dir, 'vocab.txt'), 'utf8').split('\n').filter((line, i, all) => i < all.length - 1 || line !== '');

  it('pairs every token both vocab.txt files hold at the given ids, specials and [unused] left out', async () => {
    const korean = await loadTokenizerDir(KOREAN_TOKENIZER);
    const english = await loadTokenizerDir(ENGLISH_TOKENIZER);
    const { map } = buildMergeMap({ korean: korean.spec, english: english.spec });
    const specialTokens = Object.values(korean.spec.specialTokens).filter((t): t is string => t !== null);
    const { pairs, counts } = selectPairs({ mergeMap: map, specialTokens });

    // An independent count straight from the two vocab files.
    const koreanVocab = readVocab(KOREAN_TOKENIZER);
    const englishVocab = readVocab(ENGLISH_TOKENIZER);
    const englishIndex = new Map(englishVocab.map((token, id) => [token, id]));
    const expected = koreanVocab
      .map((token, koreanId) => ({ token, koreanId, englishId: englishIndex.get(token) }))
      .filter((p) => p.englishId !== undefined && !specialTokens.includes(p.token) && !/^\[unused\d+\]$/.test(p.token));
    expect(koreanVocab).toHaveLength(50135);
    expect(englishVocab).toHaveLength(30522);
    expect(pairs.tokens).toEqual(expected.map((p) => p.token));
    expect([...pairs.koreanIds]).toEqual(expected.map((p) => p.koreanId));
    expect([...pairs.englishIds]).toEqual(expected.map((p) => p.englishId));
    expect(counts.pairs).toBe(expected.length);
    expect(counts.special).toBe(5);
    // same string, so the same word-initial / ## kind on both sides
    pairs.tokens.forEach((token, i) => {
      expect(koreanVocab[pairs.koreanIds[i]]).toBe(token);
      expect(englishVocab[pairs.englishIds[i]]).toBe(token);
    });
    const added = appendedTokens(map);
    expect(added.tokens.length).toBe(map.added);
    expect(added.tokens.every((token) => englishIndex.has(token) && !koreanVocab.includes(token))).toBe(true);

    const words = selectPairs({ mergeMap: map, specialTokens, dropNonWord: true });
    expect(words.counts.pairs + words.counts.nonWord).toBe(counts.pairs);
    expect(words.pairs.tokens.some((token) => /^\d+$/.test(token))).toBe(false);
  });
});
