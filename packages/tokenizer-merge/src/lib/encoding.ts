/**
 * A tokenized input, field for field what HF `tokenizers` returns. Offsets are UTF-16 offsets into the
 * sequence the token came from (the first or the second text of a pair); special tokens get [0, 0].
 */
export interface Encoding {
  ids: number[];
  tokens: string[];
  offsets: Array<[number, number]>;
  typeIds: number[];
  specialTokensMask: number[];
  /** Index of the pre-tokenized word (per sequence); null for [CLS]/[SEP]. */
  wordIds: Array<number | null>;
  /** 0 or 1 for the sequence a token belongs to; null for [CLS]/[SEP]. */
  sequenceIds: Array<number | null>;
}

export interface EncodeOptions {
  /** Cut to at most this many tokens, [CLS]/[SEP] included (HF longest-first for pairs). */
  maxLength?: number;
  /** Defaults to true when maxLength is given. */
  truncation?: boolean;
  /**
   * encodeBatch only: 'rust' (default) runs Hugging Face `tokenizers` on its thread pool; 'typescript'
   * runs the pure-TypeScript encoder (same encodings; see tools/bench/bench-tokenize.mjs for which is faster where).
   */
  engine?: 'rust' | 'typescript';
}

/** The tokens of one sequence before [CLS]/[SEP] are added. */
export interface SequenceTokens {
  ids: number[];
  offsets: Array<[number, number]>;
  wordIds: number[];
}

function cut(sequence: SequenceTokens, length: number): SequenceTokens {
  return { ids: sequence.ids.slice(0, length), offsets: sequence.offsets.slice(0, length), wordIds: sequence.wordIds.slice(0, length) };
}

/**
 * How many tokens HF `tokenizers` 0.23 has produced for a sequence when it stops early at `maxLength`:
 * it tokenizes word by word and stops after the word that brings the count to maxLength or more.
 * (Inferred from the library's output: the truncation lengths of pairs depend on it; see the tests.)
 */
function lengthSeenByTruncation(sequence: SequenceTokens, maxLength: number): number {
  const n = sequence.ids.length;
  if (n <= maxLength) return n;
  let end = maxLength;
  while (end < n && sequence.wordIds[end] === sequence.wordIds[end - 1]) end++;
  return end;
}

/**
 * HF `tokenizers` truncation, strategy LongestFirst, direction right, no stride. `budget` excludes the
 * special tokens, `maxLength` includes them. The shorter sequence of a pair stays whole when the longer
 * one can absorb the whole cut; otherwise the first gets floor(budget / 2) and the second the rest, or the
 * other way round when the first is the longer one (lengths as lengthSeenByTruncation counts them).
 */
export function truncateSequences(
  first: SequenceTokens,
  second: SequenceTokens | undefined,
  budget: number,
  maxLength: number,
): [SequenceTokens, SequenceTokens | undefined] {
  const total = first.ids.length + (second?.ids.length ?? 0);
  if (total <= budget) return [first, second];
  if (!second) return [cut(first, Math.max(0, budget)), undefined];
  let n1 = lengthSeenByTruncation(first, maxLength);
  let n2 = lengthSeenByTruncation(second, maxLength);
  const swap = n1 > n2;
  if (swap) [n1, n2] = [n2, n1];
  n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
  if (n1 + n2 > budget) {
    n1 = Math.floor(budget / 2);
    n2 = n1 + (budget % 2);
  }
  if (swap) [n1, n2] = [n2, n1];
  return [cut(first, n1), cut(second, n2)];
}

/** BERT's template: [CLS] A [SEP] or [CLS] A [SEP] B [SEP], type ids 0 for A and 1 for B. */
export function addSpecialTokens(params: {
  first: SequenceTokens;
  second?: SequenceTokens;
  clsId: number;
  sepId: number;
  vocab: readonly string[];
}): Encoding {
  const { first, second, clsId, sepId, vocab } = params;
  const encoding: Encoding = { ids: [], tokens: [], offsets: [], typeIds: [], specialTokensMask: [], wordIds: [], sequenceIds: [] };
  const push = (id: number, offset: [number, number], typeId: number, special: boolean, wordId: number | null, sequenceId: number | null): void => {
    encoding.ids.push(id);
    encoding.tokens.push(vocab[id]);
    encoding.offsets.push(offset);
    encoding.typeIds.push(typeId);
    encoding.specialTokensMask.push(special ? 1 : 0);
    encoding.wordIds.push(wordId);
    encoding.sequenceIds.push(sequenceId);
  };
  push(clsId, [0, 0], 0, true, null, null);
  first.ids.forEach((id, i) => push(id, first.offsets[i], 0, false, first.wordIds[i], 0));
  push(sepId, [0, 0], 0, true, null, null);
  if (second) {
    second.ids.forEach((id, i) => push(id, second.offsets[i], 1, false, second.wordIds[i], 1));
    push(sepId, [0, 0], 1, true, null, null);
  }
  return encoding;
}
