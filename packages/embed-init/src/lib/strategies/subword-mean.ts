import { WordPieceTokenizer } from '@koenbert/tokenizer-merge';
import { columnMeans, type Matrix } from '../matrix';

export interface SubwordMeanResult {
  rows: Matrix;
  /** Tokens whose pieces were all unknown: they got the mean Korean embedding. */
  fallbacks: number;
}

/**
 * A tokenizer that cannot produce the masked ids: their vocab entries are replaced by strings no
 * text contains, so every other id (and so every embedding row) stays where it was.
 */
export function maskVocab(params: { tokenizer: WordPieceTokenizer; masked: Iterable<number> }): WordPieceTokenizer {
  const { tokenizer } = params;
  const vocab = [...tokenizer.vocab];
  for (const id of params.masked) vocab[id] = `\u0000masked-${id}`;
  return new WordPieceTokenizer({ spec: { ...tokenizer.spec, vocab } });
}

/** The Korean pieces of a vocab token: "##" is dropped and the rest tokenised as a word. */
export function koreanPieceIds(params: { token: string; tokenizer: WordPieceTokenizer }): number[] {
  const { token, tokenizer } = params;
  const prefix = tokenizer.spec.continuingSubwordPrefix;
  const text = token.startsWith(prefix) && token.length > prefix.length ? token.slice(prefix.length) : token;
  const unk = tokenizer.unkId;
  const ids: number[] = [];
  for (const word of tokenizer.splitWords(text)) {
    for (const piece of word.pieces) {
      const id = tokenizer.tokenToId(piece);
      if (id !== undefined && id !== unk) ids.push(id);
    }
  }
  return ids;
}

/**
 * The FVT / FOCUS-style baseline: a new token's row is the mean of the Korean model's embeddings of
 * the pieces the Korean tokenizer cuts the token string into (Gee et al. 2022, "Fast Vocabulary
 * Transfer"; Dobler & de Melo 2023, "FOCUS"). `tokenizer` must only produce Korean ids (< korean.rows).
 * Tokens with no known piece get the mean Korean embedding.
 */
export function subwordMeanRows(params: { tokens: string[]; tokenizer: WordPieceTokenizer; korean: Matrix }): SubwordMeanResult {
  const { tokens, tokenizer, korean } = params;
  const d = korean.cols;
  const mean = columnMeans(korean);
  const data = new Float32Array(tokens.length * d);
  let fallbacks = 0;
  tokens.forEach((token, i) => {
    const ids = koreanPieceIds({ token, tokenizer }).filter((id) => id < korean.rows);
    const out = data.subarray(i * d, (i + 1) * d);
    if (ids.length === 0) {
      fallbacks++;
      for (let j = 0; j < d; j++) out[j] = mean[j];
      return;
    }
    const sum = new Float64Array(d);
    for (const id of ids) for (let j = 0; j < d; j++) sum[j] += korean.data[id * d + j];
    for (let j = 0; j < d; j++) out[j] = sum[j] / ids.length;
  });
  return { rows: { rows: tokens.length, cols: d, data }, fallbacks };
}
