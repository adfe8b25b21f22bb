/**
 * Character predicates of the BERT pipeline, written to agree with Hugging Face `tokenizers`
 * (normalizers/bert.rs, pre_tokenizers/bert.rs). They take one code point as a string.
 * `tools/golden/tokenizer-unicode-agreement.mjs` compares them with the Rust library on every code point.
 */

const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
const WHITESPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
const PUNCTUATION = /[\p{P}!-/:-@[-`{-~]/u;
const NONSPACING_MARK = /\p{Mn}/u;
const MARK = /\p{M}/u;

/** Tab, newline, carriage return and Unicode White_Space. */
export function isBertWhitespace(char: string): boolean {
  return WHITESPACE.test(char);
}

/** Control, format, private-use and surrogate code points, except tab, newline and carriage return (unassigned ones are kept, as in `tokenizers`). */
export function isBertControl(char: string): boolean {
  if (char === '\t' || char === '\n' || char === '\r') return false;
  return CONTROL.test(char);
}

/** ASCII punctuation (including $+<=>^`|~) and every Unicode P* character. */
export function isBertPunctuation(char: string): boolean {
  return PUNCTUATION.test(char);
}

/** The CJK ideograph blocks BERT pads with spaces (Hangul and kana are not among them). */
export function isChineseChar(codePoint: number): boolean {
  return (
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x20000 && codePoint <= 0x2a6df) ||
    (codePoint >= 0x2a700 && codePoint <= 0x2b73f) ||
    (codePoint >= 0x2b740 && codePoint <= 0x2b81f) ||
    (codePoint >= 0x2b920 && codePoint <= 0x2ceaf) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0x2f800 && codePoint <= 0x2fa1f)
  );
}

/** What BertNormalizer's strip_accents drops (after NFD): nonspacing marks (Mn). */
export function isNonspacingMark(char: string): boolean {
  return NONSPACING_MARK.test(char);
}

/** What the standalone StripAccents normalizer drops (after NFD): every combining mark (Mn, Mc, Me). */
export function isCombiningMark(char: string): boolean {
  return MARK.test(char);
}

/**
 * Hangul as the merged rule sees it: conjoining jamo, compatibility jamo (ㅋㅋ), jamo extended A/B and syllables.
 * The same ranges are written into tokenizer.json (see HANGUL_CLASS), so both implementations agree by construction.
 */
export function isHangul(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x11ff) ||
    (codePoint >= 0x3130 && codePoint <= 0x318f) ||
    (codePoint >= 0xa960 && codePoint <= 0xa97f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7ff)
  );
}

/** The Hangul ranges above as a regex character-class body (Oniguruma and JS syntax). */
export const HANGUL_CLASS = '\\u1100-\\u11FF\\u3130-\\u318F\\uA960-\\uA97F\\uAC00-\\uD7FF';

/** A character NFC may attach to the one before it: a combining mark or a Hangul medial/final jamo. */
export function mayComposeWithPrevious(char: string): boolean {
  const codePoint = char.codePointAt(0)!;
  return MARK.test(char) || (codePoint >= 0x1160 && codePoint <= 0x11ff) || (codePoint >= 0xd7b0 && codePoint <= 0xd7ff);
}
