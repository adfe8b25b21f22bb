import { normalizeText } from './normalization';
import { isHangul } from './text/char-classes';
import type { WordPieceTokenizer } from './word-piece-tokenizer';

/**
 * Why the merged tokenizer split a sentence differently from the teacher:
 * - `vocab-conflict`: both normalize the sentence to the same text, but a token only the other language's
 *   vocab has gives a longer greedy WordPiece match ("usb" instead of "us ##b").
 * - `lowercased` (Korean): letters the cased Korean tokenizer keeps are lowercased (Latin words not attached
 *   to Hangul, full-width, Greek or Cyrillic capitals).
 * - `accents-stripped` (Korean): combining marks removed or composed (é → e, ❤️ → ❤ without its variation selector).
 * - `hangul-in-english` (English): the English tokenizer decomposes Hangul into jamo; the merged one keeps syllables.
 * - `combining-marks` (English): NFC recomposed characters the English tokenizer leaves decomposed, or spacing
 *   and enclosing marks (Indic vowel signs) it keeps and the merged rule drops.
 */
export type MismatchCategory = 'vocab-conflict' | 'lowercased' | 'accents-stripped' | 'hangul-in-english' | 'combining-marks';

export const MISMATCH_DESCRIPTIONS: Record<MismatchCategory, string> = {
  'vocab-conflict': 'same normalized text; a token only the other vocab has wins the greedy longest match',
  lowercased: 'upper-case letters the cased Korean tokenizer keeps are lowercased (Latin words not attached to Hangul, full-width/Greek/Cyrillic capitals)',
  'accents-stripped': 'combining marks removed or composed (accented Latin, emoji variation selectors, decomposed jamo)',
  'hangul-in-english': 'the English tokenizer decomposes Hangul syllables into jamo; the merged one keeps them',
  'combining-marks': 'NFC recomposes what the English tokenizer leaves decomposed, or drops spacing/enclosing marks (Indic vowel signs) it keeps',
};

function containsHangul(text: string): boolean {
  for (const char of text) if (isHangul(char.codePointAt(0)!)) return true;
  return false;
}

export function classifyMismatch(params: {
  text: string;
  lang: 'ko' | 'en';
  teacher: WordPieceTokenizer;
  merged: WordPieceTokenizer;
}): MismatchCategory {
  const { text, lang, teacher, merged } = params;
  const teacherText = teacher.normalize(text);
  if (teacherText === merged.normalize(text)) return 'vocab-conflict';
  if (lang === 'en') return containsHangul(text) ? 'hangul-in-english' : 'combining-marks';
  const lowercasedOnly = normalizeText(text, { ...merged.spec.normalizer, stripAccents: false, composeAfterStrip: false });
  return lowercasedOnly !== teacherText ? 'lowercased' : 'accents-stripped';
}

/** The words whose pieces differ (meaningful when both tokenizers normalize the text the same way). */
export function differingWords(params: {
  text: string;
  teacher: WordPieceTokenizer;
  merged: WordPieceTokenizer;
}): Array<{ word: string; teacher: string[]; merged: string[] }> {
  const teacherWords = params.teacher.splitWords(params.text);
  const mergedWords = params.merged.splitWords(params.text);
  const found: Array<{ word: string; teacher: string[]; merged: string[] }> = [];
  for (let i = 0; i < Math.min(teacherWords.length, mergedWords.length); i++) {
    const a = teacherWords[i].pieces;
    const b = mergedWords[i].pieces;
    if (a.length !== b.length || a.some((piece, k) => piece !== b[k])) {
      found.push({ word: mergedWords[i].word, teacher: a, merged: b });
    }
  }
  return found;
}
