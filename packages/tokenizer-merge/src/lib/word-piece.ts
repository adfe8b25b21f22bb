/** The WordPiece model: greedy longest-match-first over a vocab, as HF `tokenizers` does it. */
export interface WordPieceModel {
  tokenToId: Map<string, number>;
  unkId: number;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  /** Longest token, in code points; bounds the search. */
  maxTokenChars: number;
}

/** One piece of a word: a vocab id and the range [start, end) of the word's characters it covers. */
export interface WordPiece {
  id: number;
  start: number;
  end: number;
}

export function createWordPieceModel(params: {
  vocab: readonly string[];
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
}): WordPieceModel {
  const tokenToId = new Map<string, number>();
  let maxTokenChars = 1;
  params.vocab.forEach((token, id) => {
    tokenToId.set(token, id);
    let length = 0;
    for (let i = 0; i < token.length; i++) {
      const code = token.charCodeAt(i);
      if (code < 0xdc00 || code > 0xdfff) length++;
    }
    if (length > maxTokenChars) maxTokenChars = length;
  });
  const unkId = tokenToId.get(params.unkToken);
  if (unkId === undefined) throw new Error(`unk token ${params.unkToken} is not in the vocab`);
  return { tokenToId, unkId, continuingSubwordPrefix: params.continuingSubwordPrefix, maxInputCharsPerWord: params.maxInputCharsPerWord, maxTokenChars };
}

/**
 * Splits the word chars[start..end) into pieces. A word longer than maxInputCharsPerWord, or one with a
 * position no piece matches, becomes a single unk piece covering the whole word.
 */
export function wordPieceSplit(model: WordPieceModel, chars: readonly string[], start: number, end: number): WordPiece[] {
  const length = end - start;
  if (length > model.maxInputCharsPerWord) return [{ id: model.unkId, start, end }];
  const offsets = new Array<number>(length + 1);
  let word = '';
  for (let k = 0; k < length; k++) {
    offsets[k] = word.length;
    word += chars[start + k];
  }
  offsets[length] = word.length;
  const pieces: WordPiece[] = [];
  let from = 0;
  while (from < length) {
    let to = Math.min(length, from + model.maxTokenChars);
    let id: number | undefined;
    while (to > from) {
      const sub = word.slice(offsets[from], offsets[to]);
      id = model.tokenToId.get(from > 0 ? model.continuingSubwordPrefix + sub : sub);
      if (id !== undefined) break;
      to--;
    }
    if (id === undefined) return [{ id: model.unkId, start, end }];
    pieces.push({ id, start: start + from, end: start + to });
    from = to;
  }
  return pieces;
}
