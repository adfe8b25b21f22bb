import type { MergeMap } from '@koenbert/tokenizer-merge';

/** A token in both vocabs: the English model's row `englishId` is paired with the Korean model's row `koreanId`. */
export interface TokenPairs {
  tokens: string[];
  englishIds: Int32Array;
  koreanIds: Int32Array;
}

export interface PairCounts {
  /** Merge-map entries with both a Korean and an English id. */
  shared: number;
  /** Of those, left out as special tokens or [unusedN] slots. */
  special: number;
  /** Of those, left out as digits/punctuation only (with dropNonWord). */
  nonWord: number;
  /** Pairs kept. */
  pairs: number;
}

const UNUSED_SLOT = /^\[unused\d+\]$/;
const NON_WORD = /^[\p{N}\p{P}\p{S}\s]+$/u;

/** True for a token made only of digits, punctuation and symbols (after a "##" prefix). */
export function isNonWordToken(token: string, continuingSubwordPrefix = '##'): boolean {
  const body = token.startsWith(continuingSubwordPrefix) && token.length > continuingSubwordPrefix.length ? token.slice(continuingSubwordPrefix.length) : token;
  return NON_WORD.test(body);
}

/**
 * The training pairs for the embedding map: merge-map entries present in both vocabs. The merge map
 * matches tokens as exact strings, so a pair always has the same word-initial / "##" kind. Special
 * tokens (`specialTokens`, which the merge map pairs by role, not by string) and [unusedN] slots are
 * left out; with `dropNonWord`, so are tokens made only of digits, punctuation and symbols.
 * Pairs come in merged-id order.
 */
export function selectPairs(params: { mergeMap: MergeMap; specialTokens: Iterable<string>; dropNonWord?: boolean; continuingSubwordPrefix?: string }): {
  pairs: TokenPairs;
  counts: PairCounts;
} {
  const { mergeMap } = params;
  const specials = new Set(params.specialTokens);
  const prefix = params.continuingSubwordPrefix ?? '##';
  const tokens: string[] = [];
  const englishIds: number[] = [];
  const koreanIds: number[] = [];
  const counts: PairCounts = { shared: 0, special: 0, nonWord: 0, pairs: 0 };
  for (const entry of mergeMap.entries) {
    if (entry.koreanId === null || entry.englishId === null) continue;
    counts.shared++;
    if (specials.has(entry.token) || UNUSED_SLOT.test(entry.token)) {
      counts.special++;
      continue;
    }
    if (params.dropNonWord && isNonWordToken(entry.token, prefix)) {
      counts.nonWord++;
      continue;
    }
    tokens.push(entry.token);
    englishIds.push(entry.englishId);
    koreanIds.push(entry.koreanId);
  }
  counts.pairs = tokens.length;
  return { pairs: { tokens, englishIds: Int32Array.from(englishIds), koreanIds: Int32Array.from(koreanIds) }, counts };
}

/** The rows to fill: merge-map entries appended after the Korean vocab, in merged-id order. */
export function appendedTokens(mergeMap: MergeMap): { tokens: string[]; englishIds: Int32Array; mergedIds: Int32Array } {
  const appended = mergeMap.entries.filter((entry) => entry.koreanId === null);
  return {
    tokens: appended.map((entry) => entry.token),
    englishIds: Int32Array.from(appended.map((entry) => entry.englishId as number)),
    mergedIds: Int32Array.from(appended.map((entry) => entry.mergedId)),
  };
}

/** Splits pairs into two disjoint parts by a seeded shuffle: `fraction` of them (rounded) go to `second`. */
export function splitPairs(params: { pairs: TokenPairs; fraction: number; order: number[] }): { first: TokenPairs; second: TokenPairs } {
  const { pairs, order } = params;
  const secondCount = Math.round(order.length * params.fraction);
  const pick = (ids: number[]): TokenPairs => ({
    tokens: ids.map((i) => pairs.tokens[i]),
    englishIds: Int32Array.from(ids, (i) => pairs.englishIds[i]),
    koreanIds: Int32Array.from(ids, (i) => pairs.koreanIds[i]),
  });
  return { first: pick(order.slice(secondCount)), second: pick(order.slice(0, secondCount)) };
}
