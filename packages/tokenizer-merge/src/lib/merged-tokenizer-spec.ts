import { MERGED_NORMALIZER } from './normalization';
import type { TokenizerSpec } from './tokenizer-spec';

/**
 * The merged tokenizer: the merged vocab with the Korean tokenizer's special tokens, added tokens and
 * WordPiece settings, and the merged normalizer (see MERGED_NORMALIZER for the rule and why).
 */
export function mergedTokenizerSpec(params: { korean: TokenizerSpec; vocab: string[] }): TokenizerSpec {
  const { korean, vocab } = params;
  return {
    vocab,
    normalizer: { ...MERGED_NORMALIZER, handleChineseChars: korean.normalizer.handleChineseChars },
    specialTokens: { ...korean.specialTokens },
    addedTokens: [...korean.addedTokens],
    continuingSubwordPrefix: korean.continuingSubwordPrefix,
    maxInputCharsPerWord: korean.maxInputCharsPerWord,
    modelMaxLength: korean.modelMaxLength,
  };
}
