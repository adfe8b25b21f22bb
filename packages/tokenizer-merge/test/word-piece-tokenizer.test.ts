import { WordPieceTokenizer } from '../src';
import { smallSpec } from './helpers/fixtures';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'un', 'unaff', '##able', '##a', '##ff', '##aff', 'able', 'a', 'b', '##b', ',', 'the', '##s', 'ing', '##ing', 'x'];

describe('WordPieceTokenizer (pure TypeScript encoder)', () => {
  const tokenizer = new WordPieceTokenizer({ spec: { ...smallSpec(VOCAB), maxInputCharsPerWord: 10 } });

  // Expected pieces derived by hand: greedy longest match first, '##' pieces only after the first piece.
  test.each([
    ['unaffable', ['unaff', '##able']],
    ['unable', ['un', '##able']],
    ['ableable', ['able', '##able']],
    ['ingings', ['ing', '##ing', '##s']],
    ['ab', ['a', '##b']],
    ['ba', ['b', '##a']],
    ['bc', ['[UNK]']],
    ['The, ABLE', ['the', ',', 'able']],
    ['unaffableable', ['[UNK]']],
    ['x [MASK] x', ['x', '[MASK]', 'x']],
    ['x[MASK]x', ['x', '[MASK]', 'x']],
  ])('%s → %j', (text, pieces) => {
    expect(tokenizer.tokenize(text)).toEqual(pieces);
  });

  test('encode adds [CLS]/[SEP], type ids for pairs, offsets into each text', () => {
    const encoding = tokenizer.encode('unable x', 'ba');
    expect(encoding.tokens).toEqual(['[CLS]', 'un', '##able', 'x', '[SEP]', 'b', '##a', '[SEP]']);
    expect(encoding.ids).toEqual(encoding.tokens.map((token) => VOCAB.indexOf(token)));
    expect(encoding.typeIds).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(encoding.offsets).toEqual([[0, 0], [0, 2], [2, 6], [7, 8], [0, 0], [0, 1], [1, 2], [0, 0]]);
    expect(encoding.wordIds).toEqual([null, 0, 0, 1, null, 0, 0, null]);
    expect(encoding.specialTokensMask).toEqual([1, 0, 0, 0, 1, 0, 0, 1]);
  });

  test('encodeBatch (HF tokenizers) gives the same encodings', async () => {
    const texts = ['unaffable, the x', 'ab ba bc', 'x [MASK] ingings'];
    const rust = await tokenizer.encodeBatch(texts);
    expect(rust).toEqual(texts.map((text) => tokenizer.encode(text)));
  });

  // Truncation lengths (first, second) kept for pairs of single-token words, from HF tokenizers'
  // LongestFirst rule with maxLength 10 (budget 7): the shorter side stays whole if it can, else 3 + 4.
  test.each([
    [3, 3, 3, 3],
    [2, 9, 2, 5],
    [9, 2, 5, 2],
    [6, 6, 3, 4],
    [9, 8, 4, 3],
    [8, 9, 3, 4],
  ])('pair of %i and %i words truncated to 10 tokens keeps %i and %i (same as HF tokenizers)', async (a, b, keepA, keepB) => {
    const first = Array(a).fill('a').join(' ');
    const second = Array(b).fill('b').join(' ');
    const encoding = tokenizer.encode(first, second, { maxLength: 10 });
    expect(encoding.tokens.filter((t) => t === 'a').length).toBe(keepA);
    expect(encoding.tokens.filter((t) => t === 'b').length).toBe(keepB);
    const [rust] = await tokenizer.encodeBatch([[first, second]], { maxLength: 10 });
    expect(rust.ids).toEqual(encoding.ids);
  });
});
