import { KoenbertError } from '@koenbert/tensor-utils';
import { MERGE_MAP_FORMAT, type MergeMap, type MergeMapEntry } from './merge-map';
import { SPECIAL_TOKEN_ROLES, type SpecialTokenRole, type TokenizerSpec } from './tokenizer-spec';

const UNUSED_SLOT = /^\[unused\d+\]$/;

export interface MergeCounts {
  /** English tokens found, as the same string, in the Korean vocab. */
  shared: number;
  /** English special tokens mapped to the Korean token of the same role. */
  specialByRole: number;
  /** English [unusedN] slots, never copied. */
  unusedSkipped: number;
  /** English tokens appended after the Korean vocab. */
  added: number;
}

export interface MergedVocab {
  map: MergeMap;
  /** Merged vocab, index = merged id: the Korean vocab unchanged, then the appended English tokens. */
  vocab: string[];
  counts: MergeCounts;
  /** How each English special token was mapped. */
  specialTokens: Array<{ role: SpecialTokenRole; english: string; korean: string; koreanId: number }>;
}

/**
 * Merges an English WordPiece vocab into a Korean one. Every Korean token keeps its id; every English
 * token missing from the Korean vocab is appended, in English id order. Tokens match as exact strings,
 * so a word-initial piece ("ing") and a continuation piece ("##ing") are different tokens; English
 * special tokens map to the Korean token of the same role ([PAD] [UNK] [CLS] [SEP] [MASK]); English
 * [unusedN] slots are not copied.
 */
export function buildMergeMap(params: { korean: TokenizerSpec; english: TokenizerSpec }): MergedVocab {
  const { korean, english } = params;
  if (korean.continuingSubwordPrefix !== english.continuingSubwordPrefix) {
    throw new KoenbertError({
      code: 'INCOMPATIBLE_TOKENIZERS',
      message: `continuation prefixes differ (Korean ${JSON.stringify(korean.continuingSubwordPrefix)}, English ${JSON.stringify(english.continuingSubwordPrefix)})`,
    });
  }
  const koreanIds = new Map<string, number>();
  korean.vocab.forEach((token, id) => koreanIds.set(token, id));
  const entries: MergeMapEntry[] = korean.vocab.map((token, id) => ({ mergedId: id, token, koreanId: id, englishId: null }));
  const vocab = [...korean.vocab];
  const counts: MergeCounts = { shared: 0, specialByRole: 0, unusedSkipped: 0, added: 0 };

  const roleOfEnglish = new Map<string, SpecialTokenRole>();
  const specialTokens: MergedVocab['specialTokens'] = [];
  for (const role of SPECIAL_TOKEN_ROLES) {
    const englishToken = english.specialTokens[role];
    const koreanToken = korean.specialTokens[role];
    if (englishToken !== null && koreanToken !== null) roleOfEnglish.set(englishToken, role);
  }

  english.vocab.forEach((token, englishId) => {
    const role = roleOfEnglish.get(token);
    if (role !== undefined) {
      const koreanToken = korean.specialTokens[role]!;
      const koreanId = koreanIds.get(koreanToken)!;
      entries[koreanId].englishId = englishId;
      specialTokens.push({ role, english: token, korean: koreanToken, koreanId });
      counts.specialByRole++;
      return;
    }
    if (UNUSED_SLOT.test(token)) {
      counts.unusedSkipped++;
      return;
    }
    const koreanId = koreanIds.get(token);
    if (koreanId !== undefined) {
      // A Korean special token already took this string's role mapping; the English one has no other home.
      if (entries[koreanId].englishId !== null) return;
      entries[koreanId].englishId = englishId;
      counts.shared++;
      return;
    }
    const mergedId = vocab.length;
    vocab.push(token);
    entries.push({ mergedId, token, koreanId: null, englishId });
    counts.added++;
  });

  const map: MergeMap = {
    format: MERGE_MAP_FORMAT,
    koreanVocabSize: korean.vocab.length,
    englishVocabSize: english.vocab.length,
    mergedVocabSize: vocab.length,
    added: counts.added,
    entries,
  };
  return { map, vocab, counts, specialTokens };
}
