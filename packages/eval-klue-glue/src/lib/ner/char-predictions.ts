function parseTag(tag: string): { prefix: 'B' | 'I' | 'O'; type: string } {
  if (tag.length > 2 && tag[1] === '-' && (tag[0] === 'B' || tag[0] === 'I')) return { prefix: tag[0], type: tag.slice(2) };
  return { prefix: 'O', type: '' };
}

/**
 * Token predictions → one tag per character, for character-level and entity scoring:
 * - a character a token starts on takes that token's predicted tag;
 * - the other characters of a multi-character token continue it (B-X or I-X → I-X, O → O);
 * - characters no token covers (spaces, characters the normaliser dropped, a truncated tail) are I-X when
 *   they sit inside a predicted entity (the previous character is in X and the next token-start character
 *   is I-X), otherwise O.
 */
export function charPredictions(params: {
  numChars: number;
  offsets: ReadonlyArray<readonly [number, number] | readonly number[]>;
  tokenStartChar: readonly number[];
  tokenPredictions: ArrayLike<number>;
  labels: readonly string[];
}): number[] {
  const { numChars, offsets, tokenStartChar, tokenPredictions, labels } = params;
  const outside = labels.indexOf('O');
  const inside = new Map<string, number>();
  labels.forEach((tag, index) => {
    const parsed = parseTag(tag);
    if (parsed.prefix === 'I') inside.set(parsed.type, index);
  });
  const continuation = (label: number): number => {
    const parsed = parseTag(labels[label]);
    return parsed.prefix === 'O' ? outside : (inside.get(parsed.type) ?? outside);
  };
  const result = new Array<number>(numChars).fill(-1);
  for (let t = 0; t < tokenStartChar.length; t++) {
    const start = tokenStartChar[t];
    if (start < 0) continue;
    const label = tokenPredictions[t];
    result[start] = label;
    const end = Math.min(offsets[t][1], numChars);
    for (let c = start + 1; c < end; c++) if (result[c] === -1) result[c] = continuation(label);
  }
  for (let c = 0; c < numChars; c++) {
    if (result[c] !== -1) continue;
    let next = c + 1;
    while (next < numChars && result[next] === -1) next++;
    const previous = c > 0 ? parseTag(labels[result[c - 1]]) : { prefix: 'O', type: '' };
    const following = next < numChars ? parseTag(labels[result[next]]) : { prefix: 'O', type: '' };
    const bridges = previous.prefix !== 'O' && following.prefix === 'I' && following.type === previous.type;
    result[c] = bridges ? (inside.get(previous.type) ?? outside) : outside;
  }
  return result;
}
