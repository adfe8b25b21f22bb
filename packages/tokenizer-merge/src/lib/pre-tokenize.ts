import { isBertPunctuation, isBertWhitespace } from './text/char-classes';

/** A word as a range [start, end) of normalized characters. */
export interface WordSpan {
  start: number;
  end: number;
}

/** HF BertPreTokenizer: split on whitespace (dropped) and around every punctuation character (kept alone). */
export function bertPreTokenize(chars: string[]): WordSpan[] {
  const words: WordSpan[] = [];
  let start = -1;
  for (let k = 0; k < chars.length; k++) {
    const char = chars[k];
    const code = char.charCodeAt(0);
    let space: boolean;
    let punct: boolean;
    if (code < 0x80) {
      space = code === 32 || (code >= 9 && code <= 13);
      punct = (code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126);
    } else if (code >= 0xac00 && code <= 0xd7a3) {
      space = false;
      punct = false;
    } else {
      space = isBertWhitespace(char);
      punct = !space && isBertPunctuation(char);
    }
    if (space || punct) {
      if (start >= 0) words.push({ start, end: k });
      start = -1;
      if (punct) words.push({ start: k, end: k + 1 });
    } else if (start < 0) {
      start = k;
    }
  }
  if (start >= 0) words.push({ start, end: chars.length });
  return words;
}
