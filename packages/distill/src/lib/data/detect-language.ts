export type Language = 'en' | 'ko';

const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/g;
const LATIN = /[A-Za-z]/g;

/**
 * 'ko' when a text has at least as many Hangul characters as Latin letters (and some Hangul),
 * 'en' when Latin letters dominate, undefined when it has neither (numbers, punctuation).
 * Used to split a mixed corpus into the two language streams.
 */
export function detectLanguage(text: string): Language | undefined {
  const hangul = text.match(HANGUL)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  if (hangul === 0 && latin === 0) return undefined;
  return hangul >= latin ? 'ko' : 'en';
}
