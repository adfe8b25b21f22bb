import { loadWordPieceTokenizer, type WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { SeededRng } from '@koenbert/tensor-utils';
import { koreanPieceIds, maskVocab, subwordMeanRows } from '../src/lib/strategies/subword-mean';
import { meanEmbeddingRows } from '../src/lib/strategies/mean';
import type { Matrix } from '../src/lib/matrix';
import { describeIfSharedData, KOREAN_TOKENIZER } from './helpers/shared-data';

describeIfSharedData('subword-mean with the real Korean tokenizer (kcelectra-base)', () => {
  let tokenizer: WordPieceTokenizer;
  let korean: Matrix;
  beforeAll(async () => {
    tokenizer = await loadWordPieceTokenizer(KOREAN_TOKENIZER);
    const rng = new SeededRng(1);
    korean = { rows: tokenizer.vocab.length, cols: 4, data: Float32Array.from({ length: tokenizer.vocab.length * 4 }, () => rng.normal()) };
  });

  it.each(['hello', 'tokenization', 'keyboard', '##ization', 'running'])('pieces of %j are what the Korean tokenizer makes of the word', (token) => {
    const word = token.replace(/^##/, '');
    const expected = tokenizer
      .tokenize(word)
      .map((piece) => tokenizer.tokenToId(piece)!)
      .filter((id) => id !== tokenizer.unkId);
    const ids = koreanPieceIds({ token, tokenizer });
    expect(ids).toEqual(expected);
    expect(ids.length).toBeGreaterThan(0);
  });

  it('a row is the mean of its pieces’ embeddings; tokens without pieces get the mean row', () => {
    const tokens = ['keyboard', '\u{E000}\u{E001}'];
    const { rows, fallbacks } = subwordMeanRows({ tokens, tokenizer, korean });
    expect(fallbacks).toBe(1);
    const ids = koreanPieceIds({ token: 'keyboard', tokenizer });
    for (let j = 0; j < 4; j++) {
      const expected = ids.reduce((sum, id) => sum + korean.data[id * 4 + j], 0) / ids.length;
      expect(rows.data[j]).toBeCloseTo(expected, 6);
      let mean = 0;
      for (let i = 0; i < korean.rows; i++) mean += korean.data[i * 4 + j];
      expect(rows.data[4 + j]).toBeCloseTo(mean / korean.rows, 6);
    }
  });

  it('masking a token makes the tokenizer split it as if it were new, other ids unchanged', () => {
    const word = tokenizer.vocab.find((token, id) => id > 1000 && /^[a-z]{6,}$/.test(token))!;
    const id = tokenizer.tokenToId(word)!;
    expect(koreanPieceIds({ token: word, tokenizer })).toEqual([id]);
    const masked = maskVocab({ tokenizer, masked: [id] });
    const pieces = koreanPieceIds({ token: word, tokenizer: masked });
    expect(pieces).not.toContain(id);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.map((p) => masked.vocab[p]).join('').replace(/##/g, '')).toBe(word);
    expect(masked.tokenToId('[CLS]')).toBe(tokenizer.tokenToId('[CLS]'));
  });
});

describe('meanEmbeddingRows', () => {
  const korean: Matrix = { rows: 4, cols: 2, data: Float32Array.from([1, 10, 3, 10, 5, 14, 7, 14]) };

  it('without noise every row is the column mean', () => {
    const rows = meanEmbeddingRows({ korean, count: 3, noise: 0, seed: 0 });
    expect([...rows.data]).toEqual([4, 12, 4, 12, 4, 12]);
  });

  it('noise is seeded and scaled by each column’s std', () => {
    const a = meanEmbeddingRows({ korean, count: 2000, noise: 0.5, seed: 3 });
    expect(meanEmbeddingRows({ korean, count: 2000, noise: 0.5, seed: 3 }).data).toEqual(a.data);
    expect(meanEmbeddingRows({ korean, count: 2000, noise: 0.5, seed: 4 }).data).not.toEqual(a.data);
    // column std: √5 and 2 → noise std 0.5·√5 and 1
    const std = (column: number) => {
      let sum = 0;
      for (let i = 0; i < 2000; i++) sum += (a.data[i * 2 + column] - (column === 0 ? 4 : 12)) ** 2;
      return Math.sqrt(sum / 2000);
    };
    expect(std(0)).toBeGreaterThan(0.5 * Math.sqrt(5) * 0.93);
    expect(std(0)).toBeLessThan(0.5 * Math.sqrt(5) * 1.07);
    expect(std(1)).toBeGreaterThan(0.93);
    expect(std(1)).toBeLessThan(1.07);
  });
});
